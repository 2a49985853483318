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

/**
 * The state a run of a session's events leaves, laid one by one over the stored state in the order they
 * arrived. genfity-wa posts every webhook from its own goroutine and does not keep their order (contract
 * §7), so a QR emitted just before the device paired can arrive after PairSuccess and Connected. A paired
 * device is shown no QR until it is logged out, so a QR while logged in is stale and changes nothing; a
 * LoggedOut that never arrived is corrected by the status check (session-checks.ts).
 */
export function stateFromEvents(
  stored: { loggedIn: boolean },
  events: ReadonlyArray<{ event_type: string; payload: { event?: unknown } }>,
): Partial<SessionState> {
  let state: Partial<SessionState> = {};
  for (const e of events) {
    const loggedIn = state.loggedIn ?? stored.loggedIn;
    if (e.event_type === 'QR' && loggedIn) continue;
    const next = stateFromEvent(e.event_type, e.payload.event);
    if (next) state = { ...state, ...next };
  }
  return state;
}
