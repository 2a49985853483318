import { describe, expect, it } from 'vitest';
import { webhookFormatOf } from '../../src/lib/webhook-format-names.js';
import { gatewayEventBody, postedContentType, providerEventBody } from '../../src/lib/webhook-format.js';

const at = new Date('2026-06-01T00:00:00Z');

describe('webhook formats (SPEC §10)', () => {
  it.each([
    ['provider', 'provider'],
    ['envelope', 'envelope'],
    [null, 'provider'],
    ['', 'provider'],
    ['json', 'provider'],
  ])('a stored %j is read as %s', (stored, format) => {
    expect(webhookFormatOf(stored)).toBe(format);
  });

  it.each([
    ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded'],
    ['application/json', 'application/json'],
    ['  application/json; charset=utf-8 ', 'application/json; charset=utf-8'],
    ['application/x-www-form-urlencoded\u00e9', 'application/x-www-form-urlencoded'],
    [`application/json${'x'.repeat(300)}`, 'application/json'],
    ['', 'application/json'],
  ])('genfity-wa declared %j: sent on as %j', (declared, sent) => {
    expect(postedContentType(declared)).toBe(sent);
  });

  it('a provider event: the posted bytes in provider format, the envelope otherwise', () => {
    const posted = { body: Buffer.from('jsonData=%7B%7D&userID=u&instanceName=n'), contentType: 'application/x-www-form-urlencoded' };
    const envelope = { id: 'evt_1', type: 'Message', sessionId: 'u', timestamp: at, data: { type: 'Message', event: {} } };
    expect(providerEventBody('provider', posted, envelope)).toBe(posted);
    const wrapped = providerEventBody('envelope', posted, envelope);
    expect(wrapped.contentType).toBe('application/json');
    expect(JSON.parse(wrapped.body.toString())).toEqual({
      id: 'evt_1',
      type: 'Message',
      session_id: 'u',
      timestamp: '2026-06-01T00:00:00.000Z',
      data: { type: 'Message', event: {} },
    });
  });

  it("an event the gateway makes: genfity-wa's JSON shape, or the envelope", () => {
    const e = { id: 'evt_2', type: 'SessionHealth', event: { health: 'silent' }, sessionId: 'abc', instanceName: 'desa', timestamp: at };
    const provider = gatewayEventBody('provider', e);
    expect(provider.contentType).toBe('application/json');
    expect(provider.body.toString()).toBe('{"type":"SessionHealth","event":{"health":"silent"},"userID":"abc","instanceName":"desa"}');
    expect(JSON.parse(gatewayEventBody('envelope', e).body.toString())).toEqual({
      id: 'evt_2',
      type: 'SessionHealth',
      session_id: 'abc',
      timestamp: '2026-06-01T00:00:00.000Z',
      data: { type: 'SessionHealth', event: { health: 'silent' } },
    });
  });
});
