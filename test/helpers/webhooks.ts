import type { Delivery, ProviderSimulator } from '../../sim/provider-simulator.js';
import type { Deps } from '../../src/deps.js';
import { waitFor } from './wait.js';

// Webhooks in tests that run the app in-process: the test drives the outbox (a round of deliveries)
// instead of waiting for the background job's timer, and waits for what the gateway did, never for time.

type App = { deps: Pick<Deps, 'db' | 'clock' | 'deliverWebhooks'> };

/** One round of the outbox now, as the background job would run it: the `between` of a wait for a delivery. */
export const deliveryRound = (t: App) => () => t.deps.deliverWebhooks();

const answered = (d: Delivery) => d.status !== undefined || d.error !== undefined;

/** genfity-wa's webhook posts so far (session and global webhook) were all answered: each event is stored, its delivery queued. */
export async function simPostsAnswered(sim: ProviderSimulator): Promise<Delivery[]> {
  await waitFor(() => sim.deliveries.every(answered), {
    what: () => `the simulator's webhook posts to be answered (${sim.deliveries.filter((d) => !answered(d)).length} open)`,
  });
  return sim.deliveries;
}

const count = async (t: App, sql: string, params: unknown[] = []) => Number((await t.deps.db.query<{ n: number }>(sql, params)).rows[0]!.n);

/**
 * The gateway has done everything it was asked so far: the simulator's posts answered (when given), every
 * stored provider event processed (session state, auto-read), and no delivery due left in the outbox,
 * rounds of which run meanwhile. A delivery that was going to arrive has arrived; one retried later by
 * the (manual) clock has not come due.
 */
export async function webhooksSettled(t: App, sim?: ProviderSimulator): Promise<void> {
  if (sim) await simPostsAnswered(sim);
  await waitFor(async () => (await count(t, 'SELECT count(*) AS n FROM gateway_webhook_events WHERE processed_at IS NULL')) === 0, {
    what: 'every stored provider event to be processed',
  });
  const due = "SELECT count(*) AS n FROM gateway_webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1";
  await waitFor(async () => (await count(t, due, [t.deps.clock.now()])) === 0, {
    what: 'no webhook delivery due in the outbox',
    between: deliveryRound(t),
  });
}
