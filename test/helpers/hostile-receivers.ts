import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * How a hostile webhook receiver answers (issue 11 §1, §4):
 * - `endless`: 200 and its headers at once, then a body that never ends, as fast as the socket takes it;
 * - `trickle-headers`: the status line and headers one byte at a time, never finished;
 * - `trickle-body`: complete headers (200, a large Content-Length), then the body one byte at a time;
 * - `nul`: a complete 500 whose body holds a NUL, which PostgreSQL text refuses.
 */
export type HostileMode = 'endless' | 'trickle-headers' | 'trickle-body' | 'nul';

export interface HostileRequest {
  head: string;
  body: string;
  at: number;
}

const CHUNK = Buffer.alloc(64 * 1024, 'x');
const CHUNK_FRAME = Buffer.concat([Buffer.from(`${CHUNK.length.toString(16)}\r\n`), CHUNK, Buffer.from('\r\n')]);

/** Waits for one complete request (head and Content-Length body) on the socket. */
function onRequest(socket: Socket, handle: (request: HostileRequest) => void) {
  let buffered = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = buffered.subarray(0, end).toString('latin1');
    const length = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
    if (buffered.length < end + 4 + length) return;
    socket.off('data', onData);
    handle({ head, body: buffered.subarray(end + 4, end + 4 + length).toString('utf8'), at: Date.now() });
  };
  socket.on('data', onData);
}

function endless(socket: Socket) {
  socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n');
  const pump = () => {
    while (!socket.destroyed && socket.write(CHUNK_FRAME));
  };
  socket.on('drain', pump);
  pump();
}

function trickle(socket: Socket, text: string, intervalMs: number, repeatFrom: number) {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed) return clearInterval(timer);
    socket.write(text[i] ?? ' ');
    i = i + 1 < text.length ? i + 1 : repeatFrom;
  }, intervalMs);
  socket.on('close', () => clearInterval(timer));
}

/** A receiver that misbehaves as told, on a raw TCP socket so that nothing in between tidies its answer. */
export async function startHostileReceiver(mode: HostileMode, options: { intervalMs?: number } = {}) {
  const intervalMs = options.intervalMs ?? 50;
  const requests: HostileRequest[] = [];
  const sockets = new Set<Socket>();
  let open = 0;
  let maxOpen = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
    });
    onRequest(socket, (request) => {
      requests.push(request);
      open += 1;
      maxOpen = Math.max(maxOpen, open);
      socket.on('close', () => {
        open -= 1;
      });
      if (mode === 'endless') return endless(socket);
      if (mode === 'nul') return void socket.end('HTTP/1.1 500 Oops\r\ncontent-length: 9\r\nconnection: close\r\n\r\nbad\u0000input');
      if (mode === 'trickle-headers') return trickle(socket, 'HTTP/1.1 200 OK\r\nx-slow: aaaaaaaaaaaaaaaa', intervalMs, 29);
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000000\r\n\r\n');
      trickle(socket, 'ok', intervalMs, 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    /** Answers still being sent (their connection open). */
    open: () => open,
    maxOpen: () => maxOpen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
export type HostileReceiver = Awaited<ReturnType<typeof startHostileReceiver>>;
