import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createBodyReader } from '../../src/services/gateway-body.js';

// The bounds of services/gateway-body.ts on plain streams: the cap per body, the budget per user.
const body = (...chunks: string[]) => {
  const stream = new PassThrough();
  for (const c of chunks) stream.write(c);
  stream.end();
  return stream;
};
const chunked = { 'transfer-encoding': 'chunked' };

describe('request bodies read whole, bounded', () => {
  it('no body for a GET or HEAD without one; an empty Buffer for a body of length 0', async () => {
    const reader = createBodyReader({ maxBytes: 10, perUserBytes: 20 });
    expect((await reader.read('u', { method: 'GET', headers: { 'content-length': '5' }, body: body('12345') })).bytes).toBeNull();
    expect((await reader.read('u', { method: 'POST', headers: {}, body: body() })).bytes).toEqual(Buffer.alloc(0));
    const read = await reader.read('u', { method: 'GET', headers: chunked, body: body('ab', 'c') });
    expect(read.bytes?.toString()).toBe('abc');
    const declared = await reader.read('u', { method: 'POST', headers: { 'content-length': '6' }, body: body('012', '34', '5') });
    expect(declared.bytes?.toString()).toBe('012345');
  });

  it('over the cap: declared → 413 before reading, undeclared → 413 as soon as it passes', async () => {
    const reader = createBodyReader({ maxBytes: 10, perUserBytes: 20 });
    await expect(reader.read('u', { method: 'POST', headers: { 'content-length': '11' }, body: body() })).rejects.toMatchObject({
      code: 'BODY_TOO_LARGE',
    });
    await expect(reader.read('u', { method: 'POST', headers: chunked, body: body('123456', '789012') })).rejects.toMatchObject({
      code: 'BODY_TOO_LARGE',
    });
    expect(reader.inFlightBytes('u')).toBe(0);
  });

  it("a user's bodies in flight stay under the budget; release gives the bytes back; other users are apart", async () => {
    const reader = createBodyReader({ maxBytes: 10, perUserBytes: 15 });
    const first = await reader.read('u', { method: 'POST', headers: { 'content-length': '10' }, body: body('0123456789') });
    expect(reader.inFlightBytes('u')).toBe(10);
    await expect(reader.read('u', { method: 'POST', headers: { 'content-length': '6' }, body: body('012345') })).rejects.toMatchObject({
      code: 'UPLOAD_BUDGET_EXCEEDED',
      headers: { 'retry-after': '1' },
    });
    await expect(reader.read('u', { method: 'POST', headers: chunked, body: body('012', '345') })).rejects.toMatchObject({
      code: 'UPLOAD_BUDGET_EXCEEDED',
    });
    expect(reader.inFlightBytes('u')).toBe(10);
    expect(
      (await reader.read('other', { method: 'POST', headers: { 'content-length': '10' }, body: body('0123456789') })).bytes,
    ).toHaveLength(10);
    first.release();
    first.release();
    expect(reader.inFlightBytes('u')).toBe(0);
  });

  it('never less than one body at the cap, whatever the budget', async () => {
    const reader = createBodyReader({ maxBytes: 10, perUserBytes: 4 });
    expect((await reader.read('u', { method: 'POST', headers: { 'content-length': '10' }, body: body('0123456789') })).bytes).toHaveLength(
      10,
    );
  });

  it('a body that ends early is refused and its bytes go back', async () => {
    const reader = createBodyReader({ maxBytes: 100, perUserBytes: 100 });
    const stream = new PassThrough();
    stream.write('012');
    const reading = reader.read('u', { method: 'POST', headers: { 'content-length': '50' }, body: stream });
    stream.destroy();
    await expect(reading).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(reader.inFlightBytes('u')).toBe(0);
  });
});
