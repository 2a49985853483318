import type { Readable } from 'node:stream';
import { AppError } from '../errors.js';

/** A request body held in memory until the provider has it; `release` gives its bytes back to the owner's budget. */
export interface HeldBody {
  bytes: Buffer | null;
  release(): void;
}

/** What the reader needs to know of a request: plain values, no HTTP library. */
export interface BodySource {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  body: Readable | null;
}

const NONE: HeldBody = { bytes: null, release: () => undefined };
const EMPTY: HeldBody = { bytes: Buffer.alloc(0), release: () => undefined };

/**
 * Request bodies on `/wa/*` are read whole before a provider connection, a lifecycle slot or a quota
 * hold is taken (issue 11 item 3): a client that drips its body holds nothing but its own socket, until
 * the server's request deadline (REQUEST_BODY_TIMEOUT_MS) closes it. Memory stays bounded per tenant:
 * the bodies one user has in flight (being read, or held until the provider has them) total at most
 * `perUserBytes` (never less than one body at `maxBytes`); past that the request is 429 with
 * Retry-After, and it only ever waits on that user's own requests. A body of declared length is
 * counted whole as soon as it is announced, one without a length chunk by chunk (held twice for a
 * moment when its chunks are joined).
 */
export function createBodyReader(limits: { maxBytes: number; perUserBytes: number }) {
  const budget = Math.max(limits.perUserBytes, limits.maxBytes);
  const inFlight = new Map<string, number>();

  function take(owner: string, n: number): boolean {
    const used = inFlight.get(owner) ?? 0;
    if (used + n > budget) return false;
    inFlight.set(owner, used + n);
    return true;
  }

  function give(owner: string, n: number): void {
    const left = (inFlight.get(owner) ?? 0) - n;
    if (left > 0) inFlight.set(owner, left);
    else inFlight.delete(owner);
  }

  /** Reads the body of `owner`'s request: null for a GET or HEAD without one, else every byte, checked as they come. */
  async function read(owner: string, req: BodySource): Promise<HeldBody> {
    const chunked = req.headers['transfer-encoding'] !== undefined;
    const declared = chunked ? null : Number(req.headers['content-length'] ?? 0);
    if (!req.body || ((req.method === 'GET' || req.method === 'HEAD') && !chunked)) return NONE;
    if (declared !== null && !(declared > 0)) return EMPTY;
    if (declared !== null && declared > limits.maxBytes) throw new AppError('BODY_TOO_LARGE');
    if (declared !== null && !take(owner, declared)) throw overBudget();
    let taken = declared ?? 0;
    const release = () => {
      give(owner, taken);
      taken = 0;
    };
    // A small body usually arrives with its headers: already whole in the stream, taken without a listener.
    const arrived = declared !== null ? alreadyArrived(req.body, declared) : null;
    if (arrived) return { bytes: arrived, release };
    try {
      const bytes = await collect(req.body, declared, (n) => {
        if (!take(owner, n)) return false;
        taken += n;
        return true;
      });
      return { bytes, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /**
   * Every chunk until the end; `account` is asked for each chunk of a body of unknown length. A body of
   * declared length is copied into one buffer of that length as it comes, so it never exists twice.
   */
  function collect(stream: Readable, declared: number | null, account: (n: number) => boolean): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (stream.destroyed) return reject(ended());
      const chunks: Buffer[] = [];
      let whole: Buffer | null = null;
      let size = 0;
      const stop = (error: Error) => {
        stream.off('data', onData).off('end', onEnd).off('error', stop).off('close', onClose);
        // The rest stays unread: the answer closes the connection (routes/gateway).
        stream.pause();
        reject(error);
      };
      const onData = (chunk: Buffer) => {
        const at = size;
        size += chunk.length;
        if (size > limits.maxBytes) return stop(new AppError('BODY_TOO_LARGE'));
        if (declared === null && !account(chunk.length)) return stop(overBudget());
        if (declared === null || (at === 0 && chunk.length === declared)) return void chunks.push(chunk);
        whole ??= Buffer.allocUnsafe(declared);
        chunk.copy(whole, at);
      };
      const onEnd = () => {
        stream.off('data', onData).off('error', stop).off('close', onClose);
        resolve(whole ?? (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
      };
      const onClose = () => stop(ended());
      stream.on('data', onData).once('end', onEnd).once('error', stop).once('close', onClose);
    });
  }

  return { read, inFlightBytes: (owner: string) => inFlight.get(owner) ?? 0 };
}
export type BodyReader = ReturnType<typeof createBodyReader>;

/** The whole declared body, if the stream already holds all of it and nothing more is coming. */
function alreadyArrived(stream: Readable, declared: number): Buffer | null {
  const complete = (stream as Readable & { complete?: boolean }).complete === true;
  if (!complete || stream.destroyed || stream.readableLength !== declared) return null;
  const bytes = stream.read(declared) as Buffer | null;
  return bytes && bytes.length === declared ? bytes : null;
}

const overBudget = () => new AppError('UPLOAD_BUDGET_EXCEEDED', undefined, { 'retry-after': '1' });
const ended = () => new AppError('VALIDATION_FAILED', 'the request body ended before it was complete');
