import type { ClusterBus } from '../cluster/bus.js';
import type { SessionState } from '../store/sessions.js';
import { type Health, healthOf } from './session-health.js';

/**
 * The cluster-bus channel of live events (SPEC §10 "Live events"): whatever instance hears of a change
 * tells every instance, and the ones holding streams of that session act on it. Messages are wake-ups
 * and small state snapshots, never provider payloads (a bus message is at most 7 000 bytes; events
 * are read from the store).
 */
export const LIVE_CHANNEL = 'sessions.live';

/** What an `event: state` frame says (the same fields as the session object). */
export interface LiveState {
  session_id: string;
  status: string;
  connected: boolean;
  logged_in: boolean;
  jid: string;
  health: Health;
  last_event_at: string | null;
  last_checked_at: string | null;
}

export type LiveMessage =
  /** New stored provider events for these session rows. */
  | { k: 'e'; r: number[] }
  /** A session's state or health changed. */
  | { k: 's'; r: number; d: LiveState }
  /** A session was deleted. */
  | { k: 'd'; r: number };

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function liveState(
  sessionId: string,
  state: SessionState,
  health: string,
  lastEventAt: Date | string | null,
  lastCheckedAt: Date | string | null,
): LiveState {
  return {
    session_id: sessionId,
    status: state.status,
    connected: state.connected,
    logged_in: state.loggedIn,
    jid: state.jid,
    health: healthOf(health),
    last_event_at: iso(lastEventAt),
    last_checked_at: iso(lastCheckedAt),
  };
}

export function parseLiveMessage(payload: string): LiveMessage | null {
  try {
    const m = JSON.parse(payload) as Partial<LiveMessage> & Record<string, unknown>;
    if (m.k === 'e' && Array.isArray(m.r) && m.r.every((n) => Number.isInteger(n))) return { k: 'e', r: m.r as number[] };
    if (m.k === 's' && Number.isInteger(m.r) && m.d && typeof m.d === 'object') return m as LiveMessage;
    if (m.k === 'd' && Number.isInteger(m.r)) return { k: 'd', r: m.r as number };
  } catch {
    // Not ours to understand: ignored.
  }
  return null;
}

/** Wake-ups per bus message: well inside the bus's 7 000 bytes even with 12-digit row ids. */
const IDS_PER_MESSAGE = 400;

/**
 * The sending half: what changed, told on the bus after the change is committed. Stored events are
 * gathered for a few milliseconds into one message per burst, so a busy relay costs one bus message
 * per burst, not one per event. A lost message is made up by the streams' periodic catch-up.
 */
export function createLivePublisher(deps: { bus: Pick<ClusterBus, 'publish'>; gatherMs?: number }) {
  const pendingEvents = new Set<number>();
  let timer: NodeJS.Timeout | null = null;
  const send = (m: LiveMessage) => void deps.bus.publish(LIVE_CHANNEL, JSON.stringify(m)).catch(() => false);

  function flushEvents(): void {
    timer = null;
    const ids = [...pendingEvents];
    pendingEvents.clear();
    for (let i = 0; i < ids.length; i += IDS_PER_MESSAGE) send({ k: 'e', r: ids.slice(i, i + IDS_PER_MESSAGE) });
  }

  return {
    /** A provider event of the session was stored (and committed). */
    eventStored(sessionRowId: number): void {
      pendingEvents.add(sessionRowId);
      if (!timer) {
        timer = setTimeout(flushEvents, deps.gatherMs ?? 10);
        timer.unref();
      }
    },
    stateChanged: (rowId: number, state: LiveState) => send({ k: 's', r: rowId, d: state }),
    sessionDeleted: (rowId: number) => send({ k: 'd', r: rowId }),
    /** Sends what is gathered now (shutdown). */
    flush(): void {
      if (timer) clearTimeout(timer);
      flushEvents();
    },
  };
}
export type LivePublisher = ReturnType<typeof createLivePublisher>;
