import { describe, expect, it } from 'vitest';
import { claimJobLease, releaseJobLease } from '../../src/store/jobs.js';
import { claimDueDeliveries, insertDelivery } from '../../src/store/webhooks.js';
import { fileStore, storeKind } from '../helpers/store.js';

const db = fileStore();

const at = (s: number) => new Date(Date.UTC(2026, 5, 1, 0, 0, s));

describe(`job lease (${storeKind})`, () => {
  it('one holder at a time; renewed by its holder; taken over only once it has run out; released', async () => {
    expect(await claimJobLease(db, 'j', 'a', at(0), at(10))).toBe(true);
    expect(await claimJobLease(db, 'j', 'b', at(5), at(15))).toBe(false);
    expect(await claimJobLease(db, 'j', 'a', at(9), at(19))).toBe(true);
    expect(await claimJobLease(db, 'j', 'b', at(18), at(28))).toBe(false);
    expect(await claimJobLease(db, 'j', 'b', at(20), at(30))).toBe(true);
    expect(await claimJobLease(db, 'j', 'a', at(21), at(31))).toBe(false);
    await releaseJobLease(db, 'j', 'a');
    expect(await claimJobLease(db, 'j', 'a', at(22), at(32))).toBe(false);
    await releaseJobLease(db, 'j', 'b');
    expect(await claimJobLease(db, 'j', 'a', at(22), at(32))).toBe(true);
    expect(await claimJobLease(db, 'other', 'b', at(22), at(32))).toBe(true);
  });
});

describe(`the outbox keeps a delivery's exact bytes (${storeKind})`, () => {
  it.each([
    [
      'a form body',
      Buffer.from('instanceName=x&jsonData=%7B%22a%22%3A%22%00%5Cu0000%22%7D&userID=ab', 'latin1'),
      'application/x-www-form-urlencoded',
    ],
    ['JSON with escapes a database would rewrite', Buffer.from('{"t":"\\u0000 \\ud83d \\/ \\u00e9 é 😀","n":1.0e2}'), 'application/json'],
    [
      'bytes that are not UTF-8, a NUL among them',
      Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0x22, 0x7d]),
      'application/json; charset=utf-8',
    ],
  ])('%s', async (_name, body, contentType) => {
    const now = at(0);
    const queued = await insertDelivery(db, {
      eventId: `evt_${body.length}`,
      sessionRowId: 1,
      userId: `u-${contentType}`,
      sessionId: 's',
      type: 'Message',
      url: 'https://example.com/h',
      body,
      contentType,
      now,
    });
    expect(queued).not.toHaveProperty('body');
    const [claimed] = (await claimDueDeliveries(db, now, 1000, 10)).filter((d) => d.id === queued.id);
    expect(Buffer.isBuffer(claimed!.body)).toBe(true);
    expect(claimed!.body.equals(body)).toBe(true);
    expect(claimed!.content_type).toBe(contentType);
  });
});
