import { describe, expect, it } from 'vitest';
import { decide, healthFor, mergeState, type StoredState } from '../../src/services/session-health.js';
import { wantsHealthEvents } from '../../src/services/relay-mode.js';

// SPEC §10 "Session health": the rules on their own, as tables.
const HOUR = 3_600_000;
const now = new Date('2026-06-01T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const hearing = { silentAfterMs: 6 * HOUR, hearsEvents: true };
const deaf = { silentAfterMs: 6 * HOUR, hearsEvents: false };
const state = (connected: boolean, loggedIn: boolean, jid: string, status: string) => ({ connected, loggedIn, jid, status });

describe('healthFor', () => {
  it.each([
    ['linked and connected, heard an hour ago', state(true, true, 'j', 'connected'), ago(HOUR), hearing, 'healthy'],
    ['linked and connected, quiet for 6 h', state(true, true, 'j', 'connected'), ago(6 * HOUR), hearing, 'silent'],
    ['linked and connected, never heard', state(true, true, 'j', 'connected'), null, hearing, 'silent'],
    ['quiet for 6 h, but the gateway hears no events (direct mode)', state(true, true, 'j', 'connected'), ago(7 * HOUR), deaf, 'healthy'],
    ['paired device, no connection', state(false, false, 'j', 'disconnected'), ago(HOUR), hearing, 'disconnected'],
    ['logged in but the connection dropped', state(false, true, 'j', 'disconnected'), ago(HOUR), hearing, 'disconnected'],
    ['logged out', state(false, false, '', 'logged_out'), ago(HOUR), hearing, 'logged_out'],
    ['logged out, the provider still shows the old JID', state(false, false, 'j', 'logged_out'), null, hearing, 'logged_out'],
    ['a QR code waiting', state(true, false, '', 'qr_waiting'), null, hearing, 'logged_out'],
    ['never linked', state(false, false, '', 'created'), null, hearing, 'logged_out'],
  ])('%s → %s', (_what, s, heard, policy, expected) => expect(healthFor(s, heard, now, policy)).toBe(expected));
});

describe('mergeState', () => {
  const stored = (o: Partial<StoredState>): StoredState => ({
    connected: true,
    logged_in: true,
    j_id: '62811:3@s.whatsapp.net',
    status: 'connected',
    health: 'healthy',
    last_event_at: null,
    ...o,
  });
  it.each([
    ['fields an answer lacks stay', stored({}), { connected: false }, state(false, true, '62811:3@s.whatsapp.net', 'connected')],
    [
      'a status check of a logged-out session keeps "logged_out" and ignores the stale JID',
      stored({ connected: false, logged_in: false, j_id: '', status: 'logged_out' }),
      { connected: false, loggedIn: false, status: 'disconnected', jid: '62811:3@s.whatsapp.net' },
      state(false, false, '', 'logged_out'),
    ],
    [
      'connecting again ends "logged_out"',
      stored({ connected: false, logged_in: false, j_id: '', status: 'logged_out' }),
      { connected: true, loggedIn: false, status: 'qr_waiting' },
      state(true, false, '', 'qr_waiting'),
    ],
    [
      'a logout blanks the JID',
      stored({}),
      { connected: false, loggedIn: false, status: 'logged_out', jid: '' },
      state(false, false, '', 'logged_out'),
    ],
  ])('%s', (_what, s, incoming, expected) => expect(mergeState(s, incoming)).toEqual(expected));
});

describe('decide', () => {
  const base: StoredState = {
    connected: false,
    logged_in: false,
    j_id: 'j',
    status: 'disconnected',
    health: 'disconnected',
    last_event_at: ago(9 * HOUR),
  };
  it('coming online counts as hearing from the provider: a reconnected session is healthy, not silent', () => {
    const d = decide(base, { connected: true, loggedIn: true, status: 'connected' }, now, hearing);
    expect(d).toMatchObject({ health: 'healthy', previousHealth: 'disconnected', changed: true });
    expect(d.lastEventAt).toEqual(now);
  });
  it('time alone turns a quiet healthy session silent, and nothing else', () => {
    const d = decide({ ...base, connected: true, logged_in: true, status: 'connected', health: 'healthy' }, null, now, hearing);
    expect(d).toMatchObject({ health: 'silent', changed: true, lastEventAt: ago(9 * HOUR) });
  });
  it('an answer that repeats the stored state changes nothing', () => {
    expect(decide(base, { connected: false, loggedIn: false, status: 'disconnected' }, now, hearing).changed).toBe(false);
  });
  it('a connect answer leaves the health as it was until the provider says whether the device logged in', () => {
    expect(decide(base, { connected: true, status: 'connecting' }, now, hearing)).toMatchObject({ health: 'disconnected' });
  });
  it('a session the provider does not know is "unknown", its state kept', () => {
    expect(decide(base, null, now, hearing, true)).toMatchObject({ health: 'unknown', changed: true, state: { jid: 'j' } });
  });
});

describe('wantsHealthEvents', () => {
  it.each([
    ['Message', false],
    ['Message,SessionHealth', true],
    ['All', true],
    ['Message,Connected,Disconnected,QR', true],
    ['LoggedOut', true],
    [null, false],
  ])('%s → %s', (events, expected) => expect(wantsHealthEvents(events)).toBe(expected));
});
