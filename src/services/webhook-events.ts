import type { SessionState } from '../store/sessions.js';

/**
 * What a provider event says about the session's connection (SPEC §6: Connected, LoggedOut,
 * Disconnected, QR, pairing). Only what the event really tells; other events change nothing.
 */
export function stateFromEvent(type: string, event: unknown): Partial<SessionState> | null {
  const e = (event && typeof event === 'object' ? event : {}) as Record<string, unknown>;
  switch (type) {
    case 'Connected':
      return { connected: true, loggedIn: true, status: 'connected' };
    case 'PairSuccess':
      return { connected: true, loggedIn: true, status: 'connected', ...(typeof e.ID === 'string' && e.ID ? { jid: e.ID } : {}) };
    case 'Disconnected':
      return { connected: false, status: 'disconnected' };
    case 'LoggedOut':
      return { connected: false, loggedIn: false, status: 'logged_out', jid: '' };
    case 'QR':
      return { connected: true, loggedIn: false, status: 'qr_waiting' };
    case 'QRTimeout':
      return { connected: false, status: 'disconnected' };
    default:
      return null;
  }
}
