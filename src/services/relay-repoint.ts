import { ProviderHttpError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import type { Random } from '../lib/random.js';
import type { ProviderClient } from '../provider/client.js';
import { claimJobLease, releaseJobLease } from '../store/jobs.js';
import * as store from '../store/relay-sessions.js';
import type { SessionRow } from '../store/sessions.js';
import { newRelay, providerEvents, relayUrl, relayUrlPrefix, type RelayConfig } from './relay-mode.js';
import { revealSession, type SealedStore } from './secret-codec.js';
import { DEFAULT_EVENTS, eventList } from './session-events.js';

const JOB = 'relay-repoint';

export interface RepointPolicy {
  relay: RelayConfig;
  /** How long this instance holds the job without renewing it: longer than one session's work and one pause. */
  leaseMs: number;
}

/** What became of one session: pointed at the relay, given up on for good, or left for the next pass. */
export type PointOutcome = { outcome: 'pointed' } | { outcome: 'skipped'; reason: string } | { outcome: 'failed'; error: unknown };

export type RepointStep =
  /** Another instance holds the job. */
  | { kind: 'elsewhere' }
  /** No session after the cursor needs pointing. */
  | { kind: 'end' }
  | ({ kind: 'session'; rowId: number; sessionId: string } & PointOutcome);

/** `call`'s result, or the reason when the provider answers `status`: the session cannot be pointed, now or later. */
async function orGone<T>(call: Promise<T>, status: number, reason: string): Promise<T | { gone: string }> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ProviderHttpError && error.status === status) return { gone: reason };
    throw error;
  }
}
const isGone = (value: unknown): value is { gone: string } => typeof value === 'object' && value !== null && 'gone' in value;

type Deps = {
  store: SealedStore;
  clock: Clock;
  random: Random;
  provider: Pick<ProviderClient, 'status' | 'setHmacKey' | 'updateUser'>;
  policy: RepointPolicy;
};

/**
 * Switching the relay on for an existing installation (issue 12 §1, SPEC §10): sessions provisioned
 * without GATEWAY_PUBLIC_URL — an adopted Go database's among them — are given a relay id and key
 * (sealed, as at create), genfity-wa's HMAC key is set to it with the session token (the provider
 * signs with a key only once it is set that way, contract §7), then its webhook is pointed at the
 * relay with the events the gateway needs added. Key first: a post to the relay signed with the old
 * key would be refused and count against genfity-wa's address. Each step is idempotent and the row
 * records where the provider was pointed, so a pass that died half-way is finished by the next, and
 * a session already pointed is not touched. One instance at a time holds the job (a lease in the store).
 */
export function createRelayRepoint(deps: Deps) {
  const { clock, provider, policy } = deps;
  const { db, codec } = deps.store;
  const holder = deps.random.bytes(8).toString('hex');
  const prefix = () => relayUrlPrefix(policy.relay);
  const lease = () => db.tx((q) => claimJobLease(q, JOB, holder, clock.now(), new Date(clock.now().getTime() + policy.leaseMs)));

  /** The events the customer receives: the session's own list; an adopted Go session has none, so genfity-wa's. */
  async function customerEvents(row: SessionRow, token: string): Promise<string | { gone: string }> {
    if (row.events?.trim()) return row.events;
    const status = await orGone(provider.status(token), 401, 'genfity-wa does not know the session token');
    if (isGone(status)) return status;
    return status.events?.trim() ? eventList(status.events).join(',') : DEFAULT_EVENTS;
  }

  async function relayOf(row: SessionRow) {
    if (row.relay_id && row.relay_hmac_key) return { id: row.relay_id, key: row.relay_hmac_key };
    const fresh = newRelay(deps.random);
    const saved = revealSession(codec, await store.assignRelay(db, row.id, fresh.id, codec.seal(fresh.key)));
    return { id: saved!.relay_id!, key: saved!.relay_hmac_key! };
  }

  async function point(found: SessionRow): Promise<PointOutcome> {
    const row = revealSession(codec, found);
    const skip = async (reason: string): Promise<PointOutcome> => {
      await store.markRelaySkipped(db, row.id, reason);
      return { outcome: 'skipped', reason };
    };
    if (!row.session_token) return skip('the session has no token');
    try {
      const events = await customerEvents(row, row.session_token);
      if (isGone(events)) return skip(events.gone);
      const relay = await relayOf(row);
      const target = relayUrl(policy.relay, relay.id);
      const keyed = await orGone(provider.setHmacKey(row.session_token, relay.key), 401, 'genfity-wa does not know the session token');
      if (isGone(keyed)) return skip(keyed.gone);
      const sent = providerEvents(eventList(events), policy.relay).join(',');
      const pointed = await orGone(
        provider.updateUser(row.session_id, { webhook: target, events: sent }),
        404,
        'genfity-wa has no such user',
      );
      if (isGone(pointed)) return skip(pointed.gone);
      await store.markRelayTarget(db, row.id, target, events);
      return { outcome: 'pointed' };
    } catch (error) {
      return { outcome: 'failed', error };
    }
  }

  return {
    /** Takes the job if no other instance holds it: how many sessions are left to point, or null. */
    async begin(): Promise<{ pending: number } | null> {
      if (!(await lease())) return null;
      return { pending: await store.countSessionsToPoint(db, prefix()) };
    },
    /** Renews the job and points the next session after `afterRowId` that needs it. */
    async next(afterRowId: number): Promise<RepointStep> {
      if (!(await lease())) return { kind: 'elsewhere' };
      const row = await store.findNextSessionToPoint(db, prefix(), afterRowId);
      if (!row) return { kind: 'end' };
      return { kind: 'session', rowId: row.id, sessionId: row.session_id, ...(await point(row)) };
    },
    /** Lets another instance take the job at once (a finished run, a clean shutdown). */
    end: () => db.tx((q) => releaseJobLease(q, JOB, holder)),
  };
}
export type RelayRepoint = ReturnType<typeof createRelayRepoint>;
