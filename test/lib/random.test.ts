import { describe, expect, it } from 'vitest';
import { type Random, randomUuid, systemRandom } from '../../src/lib/random.js';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('randomUuid', () => {
  it('makes version 4 UUIDs from a source that has only bytes, the same bytes giving the same id', () => {
    const fixed: Random = { bytes: (n) => Buffer.alloc(n, 0xff) };
    expect(randomUuid(fixed)).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    expect(randomUuid({ bytes: (n) => Buffer.alloc(n, 0) })).toBe('00000000-0000-4000-8000-000000000000');
  });

  it("takes a source's own UUIDs when it has them", () => {
    expect(randomUuid({ bytes: () => Buffer.alloc(0), uuid: () => 'given' })).toBe('given');
  });

  it('gives distinct version 4 UUIDs from the system source', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => randomUuid(systemRandom)));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(V4);
  });
});
