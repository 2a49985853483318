import type { Queryable } from '../store/index.js';
import { type HealthRow, lockSessionHealth, saveSessionHealth } from '../store/session-health.js';
import type { SessionState } from '../store/sessions.js';
import { queueGatewayEvent } from './gateway-events.js';
import { decide, type Health, type HealthPolicy } from './session-health.js';
import { wantsHealthEvents } from './relay-mode.js';
import { DEFAULT_PROVIDER } from './subscriptions.js';
import { relayRefusal } from './webhook-tenant.js';

/** What changed for a session: told to live streams and, for health, to the customer's webhook. */
export interface StateChange {
  rowId: number;
  userId: string;
  sessionId: string;
  state: SessionState;
  health: Health;
  previousHealth: Health;
  lastEventAt: Date | null;
  lastCheckedAt: Date | null;
  at: Date;
  /** A SessionHealth delivery was queued with the change (the webhook job is nudged after the commit). */
  queued: boolean;
}

export interface ApplyOptions {
  /** The provider's status was asked now (reconciliation): `last_checked_at` moves. */
  checked?: boolean;
  /** Write only when state or health changed; reconciliation marks unchanged sessions checked in batches. */
  onlyIfChanged?: boolean;
  /** The provider does not know the session (it refuses its token): health `unknown`, state as it was. */
  unknown?: boolean;
}

/** The SessionHealth event (SPEC §10: delivered in the provider's shape, `event` is ours). */
function healthEvent(row: HealthRow, c: Omit<StateChange, 'queued'>) {
  return {
    type: 'SessionHealth',
    key: `${c.health}:${c.at.toISOString()}`,
    event: {
      health: c.health,
      previous_health: c.previousHealth,
      connected: c.state.connected,
      logged_in: c.state.loggedIn,
      status: c.state.status,
      jid: c.state.jid,
      last_event_at: c.lastEventAt?.toISOString() ?? null,
      last_checked_at: c.lastCheckedAt?.toISOString() ?? null,
      changed_at: c.at.toISOString(),
      session_name: row.session_name ?? '',
    },
  };
}

/**
 * The one way a session's state and health are written (SPEC §10 "Session health"): what the provider
 * said (an answer to `/session/*`, an event, a status check) is laid over the stored state, the
 * health recomputed, and a change of health queued as a `SessionHealth` delivery to the session's
 * webhook in the same transaction (durable, signed and retried as every delivery). `announce`, after
 * the commit, tells live streams and nudges the webhook job.
 */
export function createSessionStates(deps: { policy: HealthPolicy; onChange: (change: StateChange) => void }) {
  const { policy } = deps;

  /** Runs inside the caller's transaction; null when nothing a stream or webhook would see changed. */
  async function apply(
    q: Queryable,
    rowId: number,
    incoming: Partial<SessionState> | null,
    now: Date,
    options: ApplyOptions = {},
  ): Promise<StateChange | null> {
    const row = await lockSessionHealth(q, rowId, DEFAULT_PROVIDER);
    if (!row) return null;
    const { state, health, previousHealth, lastEventAt, changed } = decide(row, incoming, now, policy, options.unknown);
    if (!changed && options.onlyIfChanged) return null;
    const checkedAt = options.checked ? now : null;
    await saveSessionHealth(q, rowId, { state, health, lastEventAt, checkedAt, synced: incoming !== null, now });
    if (!changed) return null;
    const change = {
      rowId,
      userId: row.user_id,
      sessionId: row.session_id,
      state,
      health,
      previousHealth,
      lastEventAt,
      lastCheckedAt: checkedAt ?? row.last_checked_at,
      at: now,
    };
    // A tenant who is not served gets no delivery, as with the provider's own events (issue 11 §10).
    const deliver =
      health !== previousHealth && Boolean(row.webhook_url) && wantsHealthEvents(row.events) && relayRefusal(row, now) === null;
    if (deliver) await queueGatewayEvent(q, { ...row, webhook_url: row.webhook_url! }, healthEvent(row, change), now);
    return { ...change, queued: deliver };
  }

  /** After the commit: streams hear of it, the webhook job of a queued delivery. */
  function announce(change: StateChange | null | undefined): void {
    if (change) deps.onChange(change);
  }

  return { apply, announce, policy };
}
export type SessionStates = ReturnType<typeof createSessionStates>;
