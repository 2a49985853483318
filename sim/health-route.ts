import { goMarshal } from './go-json.js';
import { send } from './http-util.js';
import type { Route, RouteContext, SimCore } from './router.js';

/** Go's time.Duration.String(): "350ms", "1.5s", "2m3.004s", "1h0m0s". */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = ((ms % 60_000) / 1000).toFixed(3).replace(/\.?0+$/, '');
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** GET|HEAD /health: a bare struct (fields in declaration order, no envelope), no auth (contract §1). */
export function healthRoute(core: SimCore): Route {
  function health({ res }: RouteContext): void {
    const sessions = core.store
      .rows()
      .map((u) => u.session.client)
      .filter((c) => c !== null);
    const memory = process.memoryUsage();
    const body = {
      status: 'ok',
      timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      uptime: goDuration(Date.now() - core.startedAt),
      active_connections: sessions.length,
      total_users: core.store.rows().length,
      connected_users: sessions.filter((c) => c.connected).length,
      logged_in_users: sessions.filter((c) => c.loggedIn).length,
      memory_stats: {
        alloc_mb: Math.floor(memory.heapUsed / 1048576),
        num_gc: 0,
        sys_mb: Math.floor(memory.rss / 1048576),
        total_alloc_mb: Math.floor(memory.heapTotal / 1048576),
      },
      goroutines: 8 + sessions.length,
      version: '1.0.0-sim',
    };
    send(res, 200, 'application/json', `${goMarshal(body, false)}\n`);
  }
  return { method: ['GET', 'HEAD'], path: '/health', auth: 'none', handler: health };
}
