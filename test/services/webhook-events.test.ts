import { describe, expect, it } from 'vitest';
import { stateFromEvents } from '../../src/services/webhook-events.js';

const ev = (event_type: string, event: unknown = {}) => ({ event_type, payload: { event } });

describe('stateFromEvents: a run of events over the stored state, in arrival order', () => {
  it('lays each event over the previous ones', () => {
    expect(stateFromEvents({ loggedIn: true }, [ev('Disconnected'), ev('Connected')])).toEqual({
      connected: true,
      loggedIn: true,
      status: 'connected',
    });
    expect(stateFromEvents({ loggedIn: true }, [ev('Connected'), ev('Disconnected')])).toEqual({
      connected: false,
      loggedIn: true,
      status: 'disconnected',
    });
  });

  it('ignores a QR while the session is logged in, stored or by an earlier event of the run', () => {
    expect(stateFromEvents({ loggedIn: true }, [ev('QR', 'code')])).toEqual({});
    expect(
      stateFromEvents({ loggedIn: false }, [ev('PairSuccess', { ID: '62812:3@s.whatsapp.net' }), ev('Connected'), ev('QR', 'code')]),
    ).toEqual({
      connected: true,
      loggedIn: true,
      status: 'connected',
      jid: '62812:3@s.whatsapp.net',
    });
  });

  it('shows a QR once the session is logged out, stored or by an earlier event of the run', () => {
    const qr = { connected: true, loggedIn: false, status: 'qr_waiting' };
    expect(stateFromEvents({ loggedIn: false }, [ev('QR', 'code')])).toEqual(qr);
    expect(stateFromEvents({ loggedIn: true }, [ev('LoggedOut'), ev('QR', 'code')])).toEqual({ ...qr, jid: '' });
  });

  it('events that say nothing about the connection change nothing', () => {
    expect(stateFromEvents({ loggedIn: true }, [ev('Message', { Info: {} }), ev('ReadReceipt')])).toEqual({});
  });
});
