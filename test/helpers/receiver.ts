import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './wait.js';

export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  /** The body as the bytes that arrived. */
  raw: Buffer;
  at: number;
}

/** A customer's webhook endpoint: a real HTTP server that records posts and answers as told. */
export async function startReceiver() {
  const received: Received[] = [];
  let answers: number[] = [];
  let hang = false;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
    });
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({ headers: req.headers, body: raw.toString('utf8'), raw, at: Date.now() });
      if (hang) return;
      res.statusCode = answers.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    /** The next statuses to answer with, in order (then 200). */
    answerWith: (...statuses: number[]) => {
      answers = statuses;
    },
    setHang: (on: boolean) => {
      hang = on;
    },
    /**
     * Resolves once `count` deliveries have arrived. `between` makes them happen: in-process tests pass
     * a round of the outbox (`t.deps.deliverWebhooks`) rather than wait for a background job's timer.
     */
    async waitFor(count: number, options: { timeoutMs?: number; between?: () => unknown } = {}) {
      await waitFor(() => received.length >= count, {
        what: () => `${count} deliveries at the receiver (${received.length} arrived)`,
        ...options,
      });
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** A port that was free a moment ago, for a server whose own URL must be configured before it listens. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
