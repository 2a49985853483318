import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster, until } from '../helpers/cluster.js';

// Issue 13: two real gateway processes on one PostgreSQL (and again with Redis) behave as one gateway:
// lifecycle calls never overlap on genfity-wa (the simulator counts overlaps and drops them, as the
// provider would crash), an Idempotency-Key is one key everywhere, and a revocation reaches every
// instance's token cache within 200 ms (the cache's own lifetime is 1 s).
describe.each([
  ['PostgreSQL only', false],
  ['PostgreSQL and Redis', true],
])('many instances, one gateway (%s)', (_name, redis) => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({ redis });
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
  });
  const [a, b] = [() => c.gateways[0]!, () => c.gateways[1]!];
  const instance = (i: number) => (i % 2 === 0 ? a() : b());

  it('lifecycle calls never overlap: connects, disconnects, logouts, creates and deletes at both instances at once', async () => {
    const { apiKey } = await c.customer();
    const sessions = await Promise.all(Array.from({ length: 6 }, (_, i) => c.session(instance(i), apiKey)));
    const before = c.sim.lifecycle;
    c.sim.setLatency(15, '/session/');
    c.sim.setLatency(15, '/admin/users/');
    try {
      const calls = sessions.flatMap((s, i) =>
        ['disconnect', 'connect', 'logout', 'connect', 'disconnect'].map((op, j) =>
          c.call(instance(i + j), `/v1/wa/session/${op}`, { method: 'POST', headers: { token: s.token }, body: {} }),
        ),
      );
      const creates = [0, 1].map((i) =>
        c.call(instance(i), '/v1/sessions', {
          method: 'POST',
          headers: { 'x-api-key': apiKey },
          body: { session_name: 'n', auto_connect: true },
        }),
      );
      const deletes = sessions
        .slice(0, 2)
        .map((s, i) => c.call(instance(i + 1), `/v1/sessions/${s.sessionId}`, { method: 'DELETE', headers: { 'x-api-key': apiKey } }));
      const answers = await Promise.all([...calls, ...creates, ...deletes]);
      // Every answer is the provider's (its 200s and 500s such as "already connected") or ours: none was a dropped connection.
      expect(answers.filter((r) => r.status === 502 || r.status === 503).map((r) => r.text)).toEqual([]);
    } finally {
      c.sim.setLatency(0, '/session/');
      c.sim.setLatency(0, '/admin/users/');
    }
    const after = c.sim.lifecycle;
    expect(after.calls - before.calls).toBeGreaterThanOrEqual(34);
    expect(after.overlapping.slice(before.overlapping.length)).toEqual([]);
    expect(after.overlaps - before.overlaps).toBe(0);
  }, 60_000);

  it('an Idempotency-Key retried on the other instance, in flight and after: one send, one answer', async () => {
    const { apiKey } = await c.customer();
    const { token } = await c.session(a(), apiKey);
    c.sim.clearRequests();
    c.sim.setLatency(300, '/chat/send/text');
    const send = (g: typeof a) =>
      c.call(g(), '/v1/wa/chat/send/text', {
        method: 'POST',
        headers: { token, 'idempotency-key': 'pay-42' },
        body: { Phone: '6281234567890', Body: 'once' },
      });
    try {
      const first = send(a);
      await until(
        async () => c.sim.requests.filter((r) => r.path === '/chat/send/text').length,
        (n) => n > 0,
      );
      const inFlight = await send(b);
      const original = await first;
      const afterwards = await Promise.all([send(b), send(a)]);
      expect(original.status).toBe(200);
      for (const r of [inFlight, ...afterwards]) {
        expect(r.status).toBe(original.status);
        expect(r.text).toBe(original.text);
        expect(r.headers.get('idempotent-replayed')).toBe('true');
      }
    } finally {
      c.sim.setLatency(0, '/chat/send/text');
    }
    expect(c.sim.requests.filter((r) => r.path === '/chat/send/text')).toHaveLength(1);
  });

  describe('a revocation made on one instance is refused on the other within 200 ms', () => {
    /** The other instance has the token cached (fresh), then `revoke` runs on the first; how long until the other refuses. */
    async function refusedAfter(token: string, revoke: () => Promise<unknown>, code: string) {
      const probe = () => c.call(b(), '/v1/wa/__probe', { headers: { token } });
      expect((await probe()).json?.code).toBe('GATEWAY_ROUTE_UNKNOWN');
      await revoke();
      const { value, ms } = await until(probe, (r) => r.json?.code === code, 2_000);
      expect(value.json?.code).toBe(code);
      return ms;
    }

    it('deleting the session', async () => {
      const { apiKey } = await c.customer();
      const s = await c.session(a(), apiKey, false);
      const ms = await refusedAfter(
        s.token,
        () => c.call(a(), `/v1/sessions/${s.sessionId}`, { method: 'DELETE', headers: { 'x-api-key': apiKey } }),
        'TOKEN_INVALID',
      );
      expect(ms).toBeLessThan(200);
    });

    it('deactivating the user', async () => {
      const { apiKey, userId } = await c.customer();
      const s = await c.session(a(), apiKey, false);
      const deactivate = () =>
        c.call(a(), `/internal/users/${userId}`, {
          method: 'PUT',
          headers: { 'x-internal-api-key': 'cluster-internal-key' },
          body: { status: 'inactive' },
        });
      expect(await refusedAfter(s.token, deactivate, 'USER_INACTIVE')).toBeLessThan(200);
    });

    it('ending the subscription', async () => {
      const { apiKey, userId } = await c.customer();
      const s = await c.session(a(), apiKey, false);
      const end = () =>
        c.call(a(), `/internal/users/${userId}`, {
          method: 'PUT',
          headers: { 'x-internal-api-key': 'cluster-internal-key' },
          body: { expires_at: '2020-01-01T00:00:00Z' },
        });
      expect(await refusedAfter(s.token, end, 'SUBSCRIPTION_EXPIRED')).toBeLessThan(200);
    });

    it('rotating the customer key (keys are never cached: refused at once)', async () => {
      const { apiKey, userId } = await c.customer();
      expect((await c.call(b(), '/v1/me', { headers: { 'x-api-key': apiKey } })).status).toBe(200);
      await c.call(a(), `/internal/users/${userId}/apikey/rotate`, {
        method: 'POST',
        headers: { 'x-internal-api-key': 'cluster-internal-key' },
        body: {},
      });
      expect((await c.call(b(), '/v1/me', { headers: { 'x-api-key': apiKey } })).status).toBe(401);
    });
  });

  it('a lock holder killed with SIGKILL mid-call does not block the cluster: the next lifecycle call proceeds at once', async () => {
    const doomed = await c.start();
    const { apiKey } = await c.customer();
    const [s1, s2] = [await c.session(a(), apiKey, false), await c.session(a(), apiKey, false)];
    const before = c.sim.lifecycle;
    c.sim.setLatency(60_000, '/session/connect');
    const held = c.call(doomed, '/v1/wa/session/connect', { method: 'POST', headers: { token: s1.token }, body: {} }).catch(() => null);
    await until(
      async () => c.sim.lifecycle.inFlight,
      (n) => n === 1,
    );
    c.sim.setLatency(0, '/session/connect');
    const locks = await c.sql(
      `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted`,
    );
    expect(locks.map((l) => l.application_name)).toContain('wa-gateway lifecycle lock');
    doomed.signal('SIGKILL');
    await doomed.exited;
    await held;
    const next = await c.call(b(), '/v1/wa/session/connect', { method: 'POST', headers: { token: s2.token }, body: {} });
    expect(next.status).toBe(200);
    expect(next.ms).toBeLessThan(3_000);
    expect(c.sim.lifecycle.overlaps - before.overlaps).toBe(0);
  }, 60_000);

  it('/ready reports the cluster bus', async () => {
    const ready = await c.call(a(), '/ready');
    expect(ready.json).toMatchObject({ checks: { bus: 'ok' } });
    expect(ready.json?.details?.bus).toBeUndefined();
  });

  it('the bus connection lost: /ready says so, revocations still hold by the 1 s cache lifetime, and it comes back by itself', async () => {
    const deactivate = (userId: string) =>
      c.call(a(), `/internal/users/${userId}`, {
        method: 'PUT',
        headers: { 'x-internal-api-key': 'cluster-internal-key' },
        body: { status: 'inactive' },
      });
    const refusedOnB = async (token: string, userId: string) => {
      const probe = () => c.call(b(), '/v1/wa/__probe', { headers: { token } });
      expect((await probe()).json?.code).toBe('GATEWAY_ROUTE_UNKNOWN');
      await deactivate(userId);
      const { value, ms } = await until(probe, (r) => r.json?.code === 'USER_INACTIVE', 3_000);
      expect(value.json?.code).toBe('USER_INACTIVE');
      return ms;
    };
    const busDetail = async () => (await c.call(b(), '/ready')).json?.details?.bus as string | undefined;
    if (c.redisProxy) {
      await c.redisProxy.stop();
      const down = await until(busDetail, (d) => d !== undefined);
      expect(down.value).toMatch(/^redis .*unreachable/i);
      expect((await c.call(b(), '/ready')).status).toBe(200);
      const user = await c.customer();
      const s = await c.session(a(), user.apiKey, false);
      expect(await refusedOnB(s.token, user.userId)).toBeLessThan(1_500);
      await c.redisProxy.start();
    } else {
      await c.sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'wa-gateway bus'`);
    }
    expect((await until(busDetail, (d) => d === undefined, 10_000)).value).toBeUndefined();
    const user = await c.customer();
    const s = await c.session(a(), user.apiKey, false);
    expect(await refusedOnB(s.token, user.userId)).toBeLessThan(200);
  }, 30_000);
});
