import type { IncomingMessage, ServerResponse } from 'node:http';

/** One lifecycle call that arrived while another was still running. */
export interface LifecycleOverlap {
  method: string;
  path: string;
  /** The call that was still running when this one arrived. */
  running: string;
  at: string;
}

export interface LifecycleReport {
  /** Lifecycle calls received (overlapping ones included). */
  calls: number;
  /** Calls that arrived while another lifecycle call was in flight: genfity-wa could have crashed on each. */
  overlaps: number;
  inFlight: number;
  /** The latest overlaps (at most 100), oldest first. */
  overlapping: LifecycleOverlap[];
}

const KEPT = 100;

/** `connect`, `disconnect`, `logout` and the full delete (which logs out and disconnects) touch the provider's `killchannel` map. */
function lifecycleCall(method: string, path: string): boolean {
  if (method === 'POST') return path === '/session/connect' || path === '/session/disconnect' || path === '/session/logout';
  return method === 'DELETE' && /^\/admin\/users\/[^/]+\/full$/.test(path);
}

/**
 * genfity-wa keeps its client channels in a Go map without a lock (contract §8, "Serialise session
 * lifecycle calls"): two lifecycle calls at once, even for different sessions, can kill the process
 * with a fatal concurrent-map error. The simulator records each overlap and fails it loudly — its
 * connection is dropped without an answer, as a crashed provider would drop it — so a gateway that
 * lets two through is seen at once. A call is in flight from its arrival until its answer is sent
 * or its client goes away.
 */
export function createLifecycleGuard() {
  const running = new Map<ServerResponse, string>();
  let calls = 0;
  let overlaps = 0;
  let overlapping: LifecycleOverlap[] = [];

  /** True when the call may proceed; false when it overlapped another (its connection is then dropped). */
  function enter(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    const method = req.method ?? 'GET';
    if (!lifecycleCall(method, path)) return true;
    calls += 1;
    const first = running.values().next();
    if (!first.done) {
      overlaps += 1;
      overlapping.push({ method, path, running: first.value, at: new Date().toISOString() });
      if (overlapping.length > KEPT) overlapping = overlapping.slice(-KEPT);
      req.socket.destroy();
      return false;
    }
    running.set(res, `${method} ${path}`);
    const leave = () => running.delete(res);
    res.once('finish', leave).once('close', leave);
    return true;
  }

  return {
    enter,
    report: (): LifecycleReport => ({ calls, overlaps, inFlight: running.size, overlapping: [...overlapping] }),
    reset() {
      calls = 0;
      overlaps = 0;
      overlapping = [];
    },
  };
}
export type LifecycleGuard = ReturnType<typeof createLifecycleGuard>;
