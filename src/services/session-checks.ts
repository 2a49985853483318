import { isAppError, ProviderHttpError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import type { ProviderClient } from '../provider/client.js';
import type { Db } from '../store/index.js';
import { claimJobLease, claimJobTick, findJobTick, releaseJobLease } from '../store/jobs.js';
import { type CheckRow, countSessionsToCheck, listSessionsToCheck, markSessionsChecked } from '../store/session-health.js';
import type { SessionState } from '../store/sessions.js';
import type { SecretCodec } from './secret-codec.js';
import { decide } from './session-health.js';
import type { SessionStates } from './session-states.js';

const JOB = 'session-check';

/**
 * What one status check came to. `unchanged`/`changed`: the provider answered, stored state follows it.
 * `unknown_session`: the provider refuses the session's token (it has no such session). `garbage`: an
 * answer that says nothing (state unchanged, logged, counted). `unreachable`: down, too slow or 5xx —
 * nothing is marked, the session is asked again.
 */
export type CheckOutcome = 'unchanged' | 'changed' | 'unknown_session' | 'garbage' | 'unreachable';

export interface CheckPolicy {
  /** SESSION_CHECK_INTERVAL: every session is asked once per interval (a "tick"). */
  intervalMs: number;
  /** How long this instance holds the job without renewing it. */
  leaseMs: number;
}

/** Where a pass stands: another instance holds the job, this tick is done, or `due` sessions wait. */
export type PassStart = { kind: 'elsewhere' } | { kind: 'done'; nextTickAt: Date } | { kind: 'due'; tick: Date; due: number };

/** `/session/status` (contract §4): `connected` and `loggedIn` are booleans, or the answer is garbage. */
function stateOf(answer: { connected?: unknown; loggedIn?: unknown; jid?: unknown }): Partial<SessionState> | null {
  if (typeof answer.connected !== 'boolean' || typeof answer.loggedIn !== 'boolean') return null;
  const { connected, loggedIn } = answer;
  return {
    connected,
    loggedIn,
    status: connected && loggedIn ? 'connected' : connected ? 'qr_waiting' : 'disconnected',
    ...(typeof answer.jid === 'string' && answer.jid ? { jid: answer.jid } : {}),
  };
}

function failureOf(error: unknown): CheckOutcome {
  if (error instanceof ProviderHttpError) return error.status === 401 ? 'unknown_session' : error.status >= 500 ? 'unreachable' : 'garbage';
  if (isAppError(error) && (error.code === 'PROVIDER_BAD_RESPONSE' || error.code === 'PROVIDER_ANSWER_TOO_LARGE')) return 'garbage';
  return 'unreachable';
}

type Deps = {
  db: Db;
  clock: Clock;
  provider: Pick<ProviderClient, 'status'>;
  /** What a check writes through, and the token it asks with. */
  sessions: { states: Pick<SessionStates, 'apply' | 'announce' | 'policy'>; codec: Pick<SecretCodec, 'open'> };
  policy: CheckPolicy & { holder: string };
};

/**
 * Reconciliation of stored state with the provider (SPEC §10, issue 16 §2), one step at a time; the
 * job (jobs/session-checks.ts) paces the steps. One instance at a time holds the job (a lease in the
 * store); a tick is recorded once its pass is complete, so every instance agrees it is done. A
 * session counts as checked for the tick once `last_checked_at` passes the tick's start, which is
 * also where a pass taken over from a dead instance carries on.
 */
export function createSessionChecks(deps: Deps) {
  const { db, clock, provider, policy } = deps;
  const { states, codec } = deps.sessions;
  const lease = () => db.tx((q) => claimJobLease(q, JOB, policy.holder, clock.now(), new Date(clock.now().getTime() + policy.leaseMs)));
  const tickOf = (now: Date) => new Date(Math.floor(now.getTime() / policy.intervalMs) * policy.intervalMs);

  async function begin(): Promise<PassStart> {
    const tick = tickOf(clock.now());
    const last = await findJobTick(db, JOB);
    if (last && last.getTime() >= tick.getTime()) return { kind: 'done', nextTickAt: new Date(tick.getTime() + policy.intervalMs) };
    if (!(await lease())) return { kind: 'elsewhere' };
    return { kind: 'due', tick, due: await countSessionsToCheck(db, tick) };
  }

  /** The next sessions of the pass after `afterId`, renewing the lease; null when another instance took the job. */
  async function page(tick: Date, afterId: number, limit: number): Promise<CheckRow[] | null> {
    if (!(await lease())) return null;
    return listSessionsToCheck(db, tick, afterId, limit);
  }

  /** Asks the provider about one session; a change is written (and announced) at once, sameness is left to `markChecked`. */
  async function check(row: CheckRow): Promise<CheckOutcome> {
    const token = row.session_token ? codec.open(row.session_token) : '';
    if (!token) return 'unknown_session';
    let incoming: Partial<SessionState> | null;
    try {
      incoming = stateOf(await provider.status(token));
    } catch (error) {
      const outcome = failureOf(error);
      if (outcome === 'unknown_session') await write(row, null, true);
      return outcome;
    }
    if (!incoming) return 'garbage';
    return (await write(row, incoming, false)) ? 'changed' : 'unchanged';
  }

  /** Most answers change nothing: decided on the row as read, so they cost no store round trip here. */
  async function write(row: CheckRow, incoming: Partial<SessionState> | null, unknown: boolean): Promise<boolean> {
    if (!decide(row, incoming, clock.now(), states.policy, unknown).changed) return false;
    const change = await db.tx((q) => states.apply(q, row.id, incoming, clock.now(), { checked: true, onlyIfChanged: true, unknown }));
    states.announce(change);
    return change !== null;
  }

  return {
    begin,
    page,
    /** Keeps the job while the pass waits between calls: false when another instance has taken it. */
    renew: lease,
    check,
    /** One statement for the sessions whose answers changed nothing (or said nothing usable). */
    markChecked: (rowIds: number[]) => markSessionsChecked(db, rowIds, clock.now()),
    /** Records the tick as done: no instance starts it again. */
    finish: (tick: Date) => db.tx((q) => claimJobTick(q, JOB, tick, clock.now())),
    /** Lets another instance take the job at once (clean shutdown). */
    end: () => db.tx((q) => releaseJobLease(q, JOB, policy.holder)),
  };
}
export type SessionChecks = ReturnType<typeof createSessionChecks>;
