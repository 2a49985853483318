import type { Clock } from '../lib/clock.js';
import type { Db } from '../store/index.js';
import { countSessionsByHealth } from '../store/session-health.js';
import { HEALTH_STATES, type Health, healthOf } from './session-health.js';

/** Scrapes closer together than this share one count: a busy Prometheus never means a busy store. */
const MAX_AGE_MS = 10_000;

/**
 * Sessions by health for `wa_gateway_sessions{health}` (SPEC §10): one grouped count in the store,
 * at most every ten seconds, every health present (zeros included) so the series never vanish. The
 * figures are the store's, so every instance reports the same ones (aggregate with `max`, not `sum`).
 * When the store cannot be asked the last figures stand.
 */
export function createHealthCounts(deps: { db: Db; clock: Clock; maxAgeMs?: number }) {
  let last: { at: number; counts: Record<Health, number> } | null = null;
  let reading: Promise<Record<Health, number>> | null = null;
  const zeros = () => Object.fromEntries(HEALTH_STATES.map((h) => [h, 0])) as Record<Health, number>;

  async function count(): Promise<Record<Health, number>> {
    const counts = zeros();
    for (const [health, n] of Object.entries(await countSessionsByHealth(deps.db))) counts[healthOf(health)] += n;
    last = { at: deps.clock.now().getTime(), counts };
    return counts;
  }

  return function read(): Promise<Record<Health, number>> {
    if (last && deps.clock.now().getTime() - last.at < (deps.maxAgeMs ?? MAX_AGE_MS)) return Promise.resolve(last.counts);
    reading ??= count()
      .catch(() => last?.counts ?? zeros())
      .finally(() => {
        reading = null;
      });
    return reading;
  };
}
