import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppWithSimulator } from '../../helpers/sim.js';
import { waitFor } from '../../helpers/wait.js';
import { pairedSession, sendText, type SimApp } from './helpers.js';

let t: SimApp;
let port = 0;
beforeAll(async () => {
  t = await createAppWithSimulator();
  port = Number(new URL(await t.app.listen({ port: 0, host: '127.0.0.1' })).port);
});
afterAll(async () => {
  await t.close();
});

const DECLARED = 5000;

/**
 * `count` sends whose clients go away half-way through their bodies: the sockets are cut once the
 * gateway reads every body (their declared bytes held for the user); resolves once it has let go of them.
 */
async function abortedSends(owner: { token: string; userId: string }, count: number): Promise<void> {
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.write(
              `POST /v1/wa/chat/send/text HTTP/1.1\r\nHost: x\r\ntoken: ${owner.token}\r\ncontent-type: application/json\r\ncontent-length: ${DECLARED}\r\n\r\n{"Phone":"62812`,
            );
            resolve(socket);
          });
          socket.on('error', () => undefined);
        }),
    ),
  );
  await waitFor(() => t.deps.gatewayBytesInFlight(owner.userId) === count * DECLARED, `the gateway reading the ${count} bodies`);
  for (const socket of sockets) socket.destroy();
  await waitFor(() => t.deps.gatewayBytesInFlight(owner.userId) === 0, 'the gateway letting go of the aborted sends');
}

describe('aborted client connections', () => {
  it('leak no quota reservation: the messages they held are back, and the next sends get them', async () => {
    const owner = await pairedSession(t, { max_messages: 3 });
    const { token, sessionId } = owner;
    await abortedSends(owner, 6);
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push((await sendText(t, token)).statusCode);
    expect(results).toEqual([200, 200, 200, 429]);
    await t.deps.flushCounters();
    const { rows } = await t.db.query<{ failed: number }>(
      'SELECT COALESCE(sum(total_failed), 0) AS failed FROM wa_session_message_stats WHERE session_id = $1',
      [sessionId],
    );
    // The client left: no message failed.
    expect(rows[0]!.failed).toBe(0);
  });

  it('leave no provider connection hanging: the gateway keeps answering at full speed', async () => {
    const owner = await pairedSession(t);
    await abortedSends(owner, 50);
    const results = await Promise.all(Array.from({ length: 50 }, () => sendText(t, owner.token)));
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    const pool = t.deps.provider.http.pool()!;
    await waitFor(() => pool.stats.running === 0 && pool.stats.pending === 0, 'the provider connections to go idle');
    expect(pool.stats.running).toBe(0);
    expect(pool.stats.pending).toBe(0);
  });
});
