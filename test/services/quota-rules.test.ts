import { describe, expect, it } from 'vitest';
import { blockSize } from '../../src/services/quota.js';
import { stateFromSessionAnswer } from '../../src/services/session-state.js';

describe('blockSize', () => {
  it.each([
    [0, 1],
    [1, 1],
    [15, 1],
    [16, 2],
    [80, 10],
    [400, 50],
    [1_000_000, 50],
  ])('%i remaining → blocks of %i', (remaining, size) => expect(blockSize(remaining)).toBe(size));
});

describe('stateFromSessionAnswer', () => {
  const ok = (data: object) => JSON.stringify({ code: 200, success: true, data });
  it.each([
    [
      '/session/status',
      200,
      ok({ connected: true, loggedIn: true, jid: '62811:3@s.whatsapp.net' }),
      { connected: true, loggedIn: true, jid: '62811:3@s.whatsapp.net', status: 'connected' },
    ],
    ['/session/status', 200, ok({ connected: true, loggedIn: false }), { connected: true, loggedIn: false, status: 'qr_waiting' }],
    ['/session/status', 200, ok({}), { connected: false, loggedIn: false, status: 'disconnected' }],
    ['/session/connect', 200, ok({ details: 'Connected!' }), { connected: true, status: 'connecting' }],
    ['/session/connect', 500, '{"code":500,"error":"already connected","success":false}', { connected: true }],
    [
      '/session/qr',
      500,
      '{"code":500,"error":"already logged in","success":false}',
      { connected: true, loggedIn: true, status: 'connected' },
    ],
    ['/session/logout', 200, ok({ Details: 'Logged out' }), { connected: false, loggedIn: false, status: 'logged_out', jid: '' }],
    ['/session/disconnect', 200, ok({ Details: 'Disconnected' }), { connected: false, status: 'disconnected' }],
    ['/session/status', 500, '{"code":500,"error":"boom","success":false}', null],
    ['/session/status', 200, 'not json', null],
    ['/session/history', 200, ok({}), null],
  ])('%s %i %s', (path, status, body, state) => expect(stateFromSessionAnswer(path, status, body)).toEqual(state));
});
