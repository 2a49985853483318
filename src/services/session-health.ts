import type { HealthColumns } from '../store/session-health.js';
import type { SessionState } from '../store/sessions.js';

/** SPEC §10: what the gateway concludes about a session, in the words every layer uses. */
export const HEALTH_STATES = ['healthy', 'disconnected', 'logged_out', 'silent', 'unknown'] as const;
export type Health = (typeof HEALTH_STATES)[number];

export const healthOf = (value: string | null | undefined): Health =>
  (HEALTH_STATES as readonly string[]).includes(value ?? '') ? (value as Health) : 'unknown';

export interface HealthPolicy {
  /** SESSION_SILENT_AFTER: a connected session not heard from for this long is `silent`. */
  silentAfterMs: number;
  /**
   * Whether the provider's events reach the gateway at all (relay mode, or the global webhook). In
   * direct mode they go straight to the customer, so quiet means nothing and `silent` is never said.
   */
  hearsEvents: boolean;
}

/** The stored state the rules read: the columns of `wa_sessions` they need. */
export type StoredState = HealthColumns;

/**
 * A provider answer or event laid over the stored state (go-service-api B24: fields it lacks stay).
 * Two things the provider cannot say are kept: `/session/status` reports a session that was logged out
 * exactly as one merely disconnected (no client: both false), so a stored `logged_out` stays until the
 * session is connected again; and a JID only counts while the session is logged in (the provider's
 * token cache keeps the old one after a logout).
 */
export function mergeState(stored: StoredState, incoming: Partial<SessionState>): SessionState {
  const connected = incoming.connected ?? stored.connected ?? false;
  const loggedIn = incoming.loggedIn ?? stored.logged_in ?? false;
  const keepLoggedOut = stored.status === 'logged_out' && !connected && !loggedIn;
  return {
    connected,
    loggedIn,
    jid: incoming.jid !== undefined && (loggedIn || incoming.jid === '') ? incoming.jid : (stored.j_id ?? ''),
    status: keepLoggedOut ? 'logged_out' : (incoming.status ?? stored.status ?? 'inactive'),
  };
}

/**
 * The health a state means at `now` (SPEC §10): linked and connected is `healthy`, or `silent` once
 * nothing was heard for SESSION_SILENT_AFTER; a linked device without a connection is `disconnected`
 * (reconnect); no linked device — logged out, never linked, or a QR code waiting — is `logged_out`
 * (scan again). `lastHeardAt` is when the provider was last heard from for the session.
 */
export function healthFor(state: SessionState, lastHeardAt: Date | null, now: Date, policy: HealthPolicy): Health {
  if (state.connected && state.loggedIn) {
    const quiet = lastHeardAt === null || now.getTime() - lastHeardAt.getTime() >= policy.silentAfterMs;
    return policy.hearsEvents && quiet ? 'silent' : 'healthy';
  }
  if (state.status === 'logged_out' || !state.loggedIn) {
    return !state.connected && state.jid !== '' && state.status !== 'logged_out' ? 'disconnected' : 'logged_out';
  }
  return 'disconnected';
}

/** Whether the state itself (not only the health) differs: what a stream's `event: state` reports. */
export const sameState = (a: SessionState, b: SessionState) =>
  a.connected === b.connected && a.loggedIn === b.loggedIn && a.jid === b.jid && a.status === b.status;

export const stateOfRow = (row: StoredState): SessionState => ({
  connected: row.connected ?? false,
  loggedIn: row.logged_in ?? false,
  jid: row.j_id ?? '',
  status: row.status ?? 'inactive',
});

export interface Decision {
  state: SessionState;
  health: Health;
  previousHealth: Health;
  lastEventAt: Date | null;
  /** State or health differ from what is stored. */
  changed: boolean;
}

const laterOf = (a: Date | null, b: Date) => (a && a.getTime() >= b.getTime() ? a : b);

/**
 * What the stored session becomes when `incoming` (null: nothing new, only time passed) is laid over
 * it at `now`. `unknown` forces that health: the provider does not know the session at all.
 */
export function decide(
  stored: StoredState,
  incoming: Partial<SessionState> | null,
  now: Date,
  policy: HealthPolicy,
  unknown = false,
): Decision {
  const before = stateOfRow(stored);
  const state = incoming ? mergeState(stored, incoming) : before;
  const previousHealth = healthOf(stored.health);
  // Coming online is hearing from the provider: a session that just connected is not silent.
  const online = state.connected && state.loggedIn && previousHealth !== 'healthy' && previousHealth !== 'silent';
  const lastEventAt = online ? laterOf(stored.last_event_at, now) : stored.last_event_at;
  // After a connect the provider has not said yet whether the device logged in: the health waits for it.
  const waiting = state.status === 'connecting' && !(state.connected && state.loggedIn);
  const health = unknown ? 'unknown' : waiting ? previousHealth : healthFor(state, lastEventAt, now, policy);
  return { state, health, previousHealth, lastEventAt, changed: !sameState(before, state) || health !== previousHealth };
}
