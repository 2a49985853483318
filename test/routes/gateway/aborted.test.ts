import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppWithSimulator } from '../../helpers/sim.js';
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

/** A send whose client goes away half-way through its body. */
function abortedSend(token: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST /v1/wa/chat/send/text HTTP/1.1\r\nHost: x\r\ntoken: ${token}\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n{"Phone":"62812`,
      );
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 30);
    });
    socket.on('error', () => resolve());
  });
}

describe('aborted client connections', () => {
  it('leak no quota reservation: the messages they held are back, and the next sends get them', async () => {
    const { token, sessionId } = await pairedSession(t, { max_messages: 3 });
    await Promise.all(Array.from({ length: 6 }, () => abortedSend(token)));
    await new Promise((r) => setTimeout(r, 300));
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
    const { token } = await pairedSession(t);
    await Promise.all(Array.from({ length: 50 }, () => abortedSend(token)));
    const results = await Promise.all(Array.from({ length: 50 }, () => sendText(t, token)));
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    const pool = t.deps.provider.http.pool()!;
    await new Promise((r) => setTimeout(r, 200));
    expect(pool.stats.running).toBe(0);
    expect(pool.stats.pending).toBe(0);
  });
});
