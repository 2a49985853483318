import { Readable } from 'node:stream';
import type { Clock } from '../lib/clock.js';
import { readAnswer } from '../provider/answer.js';
import type { ForwardResponse } from '../provider/forward.js';
import type { Db } from '../store/index.js';
import type { SessionState } from '../store/sessions.js';
import type { SessionActivity } from './session-activity.js';
import type { SessionStates } from './session-states.js';

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

/**
 * The stored state follows what genfity-wa answers on `/session/*` (SPEC §4). Those answers are small:
 * read whole (at most `maxAnswerBytes`), the state and health applied (SPEC §10), the same bytes handed
 * on to the client. Any other call genfity-wa answered with success is hearing from the session.
 */
export function createSessionStateRefresh(deps: {
  db: Db;
  clock: Clock;
  maxAnswerBytes: number;
  states: Pick<SessionStates, 'apply' | 'announce'>;
  activity: Pick<SessionActivity, 'heard'>;
}) {
  const { states } = deps;
  async function refresh(rowId: number, path: string, res: ForwardResponse): Promise<ForwardResponse> {
    if (!path.startsWith('/session/')) {
      if (res.status >= 200 && res.status < 300) deps.activity.heard(rowId);
      return res;
    }
    const answer = await readAnswer(res.body, deps.maxAnswerBytes);
    const state = stateFromSessionAnswer(path, res.status, answer.toString('utf8'));
    if (state) states.announce(await deps.db.tx((q) => states.apply(q, rowId, state, deps.clock.now())));
    return { ...res, body: Readable.from([answer]) };
  }
  return { refresh };
}
export type SessionStateRefresh = ReturnType<typeof createSessionStateRefresh>;
