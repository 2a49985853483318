import type { SessionState } from '../store/sessions.js';

interface Envelope {
  data?: Record<string, unknown>;
}

const asObject = (text: string): Record<string, unknown> | null => {
  try {
    const value = JSON.parse(text) as Envelope;
    return value && typeof value === 'object' && value.data && typeof value.data === 'object' ? value.data : null;
  } catch {
    return null;
  }
};

/**
 * What a provider answer to `/session/*` says about the session (contract §4), as a partial state:
 * only what the answer really carries, never blanks for fields it lacks (go-service-api B24).
 */
export function stateFromSessionAnswer(path: string, status: number, body: string): Partial<SessionState> | null {
  if (status < 200 || status > 299) {
    // The provider's own words for a session that is already up.
    if (path === '/session/connect' && body.includes('already connected')) return { connected: true };
    if (path === '/session/qr' && body.includes('already logged in')) return { connected: true, loggedIn: true, status: 'connected' };
    return null;
  }
  const data = asObject(body);
  switch (path) {
    case '/session/status': {
      if (!data) return null;
      const connected = data.connected === true;
      const loggedIn = data.loggedIn === true;
      const state: Partial<SessionState> = {
        connected,
        loggedIn,
        status: loggedIn && connected ? 'connected' : connected ? 'qr_waiting' : 'disconnected',
      };
      if (typeof data.jid === 'string' && data.jid) state.jid = data.jid;
      return state;
    }
    case '/session/connect':
      return { connected: true, status: 'connecting' };
    case '/session/qr':
      return { connected: true, loggedIn: false, status: 'qr_waiting' };
    case '/session/disconnect':
      return { connected: false, status: 'disconnected' };
    case '/session/logout':
      return { connected: false, loggedIn: false, status: 'logged_out', jid: '' };
    default:
      return null;
  }
}
