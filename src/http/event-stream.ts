import type { FastifyReply } from 'fastify';
import type { StreamSink } from '../services/live-feed.js';

/**
 * Turns a reply into a Server-Sent Events stream (SPEC §10 "Live events"): Fastify lets go of the
 * reply, the headers it gathered so far (request id, CORS, rate-limit) go out with the stream's own.
 * `congested` once more than `bufferBytes` wait in the response and its socket: the feed then writes
 * nothing more until `drain` (services/live-feed.ts), so a reader that does not read holds at most
 * that and one frame. `Connection: close`: the socket ends with the stream, so a drain is never held up by it.
 */
export function openEventStream(reply: FastifyReply, bufferBytes: number, onClose: () => void): StreamSink {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'close',
    // Reverse proxies (nginx) would otherwise hold the frames back.
    'x-accel-buffering': 'no',
  });
  res.socket?.setNoDelay(true);
  res.once('close', onClose);
  // The client may have left while the stream was being set up: its close has come and gone.
  if (!res.socket || res.socket.destroyed) queueMicrotask(onClose);
  const open = () => !res.destroyed && !res.writableEnded;
  return {
    write(chunk) {
      if (open()) res.write(chunk);
    },
    congested: () => open() && res.writableLength > bufferBytes,
    onDrain: (fn) => void res.once('drain', fn),
    end: () => {
      if (open()) res.end();
    },
    abort: () => res.destroy(),
  };
}
