import type { Readable } from 'node:stream';
import { AppError } from '../errors.js';

/**
 * A request body left unread until its route knows it wants it (issue 11 §2: nothing large is read
 * before what can be checked without it has been). `read` takes the raw bytes, as the chunks they
 * arrived in, with a size cap and one deadline for the whole body; a body that is too large or too slow
 * is left where it is, paused, and its connection should be closed with the answer rather than drained.
 */
export function createRawBody(stream: Readable, timeoutMs: number) {
  let complete = false;

  function read(maxBytes: number): Promise<Buffer[]> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const stop = (error: Error) => {
        cleanup();
        stream.pause();
        reject(error);
      };
      const timer = setTimeout(() => stop(new AppError('REQUEST_TIMEOUT')), timeoutMs);
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return stop(new AppError('BODY_TOO_LARGE'));
        chunks.push(chunk);
      };
      const onEnd = () => {
        complete = true;
        cleanup();
        resolve(chunks);
      };
      const onClose = () => stop(new AppError('VALIDATION_FAILED', 'the request body ended before it was complete'));
      const cleanup = () => {
        clearTimeout(timer);
        stream.off('data', onData).off('end', onEnd).off('error', onClose).off('close', onClose);
      };
      stream.on('data', onData).on('end', onEnd).on('error', onClose).on('close', onClose);
    });
  }

  return {
    read,
    /** True once the whole body was read: the connection can then be kept alive. */
    complete: () => complete,
  };
}
export type RawBody = ReturnType<typeof createRawBody>;
