import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_KEY, startCluster, type Cluster } from '../helpers/cluster.js';

// Issue 17: two gateway processes on one PostgreSQL count one user's sends into one history. Each
// process keeps its counts in memory and flushes them every second and, at SIGTERM, once more.
let c: Cluster;
beforeAll(async () => {
  c = await startCluster({ redis: false });
}, 120_000);
afterAll(async () => {
  await c?.stop();
});

describe('usage history across gateway processes', () => {
  it('N sends through two processes read as N for the day, the last ones written by the shutdown flush', async () => {
    const { apiKey } = await c.customer();
    const { token } = await c.session(c.gateways[0]!, apiKey);
    const N = 60;
    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        c.call(c.gateways[i % 2]!, '/v1/wa/chat/send/text', {
          method: 'POST',
          headers: { token },
          body: { Phone: '6281234567890', Body: `m${i}` },
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(N).fill(200));
    // Stopped at once: whatever the once-a-second flush had not written yet, the final flush writes.
    for (const g of c.gateways) g.signal('SIGTERM');
    expect(await Promise.all(c.gateways.map((g) => g.exited))).toEqual([0, 0]);
    const rows = await c.sql(
      "SELECT sum(sent)::int AS sent, sum(failed)::int AS failed FROM gateway_usage_daily WHERE message_type = 'text'",
    );
    expect(rows[0]).toEqual({ sent: N, failed: 0 });
    const third = await c.start();
    const read = await c.call(third, '/v1/usage', { headers: { 'x-api-key': apiKey } });
    expect(read.json!.totals).toEqual({ sent: N, failed: 0, received: 0 });
    const billing = await c.call(third, '/internal/usage', { headers: { 'x-internal-api-key': CLUSTER_KEY } });
    expect(billing.json!.items).toEqual([expect.objectContaining({ sent: N, failed: 0, received: 0 })]);
  });
});
