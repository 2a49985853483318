import { randomBytes, randomUUID } from 'node:crypto';

/** The one source of randomness (keys, tokens, IVs, ids, jitter): injected, so tests can pass a predictable one. */
export interface Random {
  bytes(size: number): Buffer;
  /** A version 4 UUID (request ids). Optional: a source without it has its UUIDs made from `bytes`. */
  uuid?(): string;
}

// randomUUID draws entropy for 128 UUIDs at a time: a request id costs no system call of its own,
// where 16 fresh bytes per request were a twentieth of the send path's CPU (issue 15 profile).
export const systemRandom: Random = { bytes: (size) => randomBytes(size), uuid: () => randomUUID() };

/** A number in [0, 1) from `random` (48 bits), for spreading retries; never for secrets. */
export function randomFraction(random: Random): number {
  return random.bytes(6).readUIntBE(0, 6) / 2 ** 48;
}

/** A version 4 UUID from `random` (RFC 9562 §5.4): request ids. */
export function randomUuid(random: Random): string {
  if (random.uuid) return random.uuid();
  const b = random.bytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
