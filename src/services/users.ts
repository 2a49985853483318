import { AppError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import type { Random } from '../lib/random.js';
import type { InternalPrincipal } from '../lib/internal-keys.js';
import type { Db, Queryable } from '../store/index.js';
import * as subscriptions from '../store/subscriptions.js';
import * as users from '../store/users.js';
import { newCustomerKey } from './api-keys.js';
import { fieldChanges, recordChanges, type ChangeEntry, type ChangeOrigin } from './audit-trail.js';
import { DEFAULT_PROVIDER, effectiveMaxSessions } from './subscriptions.js';
import { loadOwnedUser, sourceFilter } from './owned-user.js';
import { toUserItem, type UserItem } from './user-item.js';

export interface UpsertUserInput {
  user_id: string;
  source: string;
  expires_at: Date;
  max_sessions?: number;
  max_messages?: number;
  provider?: string;
  created_by?: string;
}
export interface UpdateUserInput {
  source?: string;
  status?: 'active' | 'inactive';
  expires_at?: Date;
  max_sessions?: number;
  max_messages?: number;
  provider?: string;
}
export interface ListUsersInput {
  source?: string;
  provider?: string;
  status?: string;
  page: number;
  limit: number;
}

const UPSERT_NOTE = 'api_key hanya tampil saat user baru dibuat';
// What the audit trail shows of a user and of a plan (SPEC §10).
const USER_FIELDS = ['source_service', 'status', 'created_by'] as const;
const PLAN_FIELDS = ['expires_at', 'max_sessions', 'max_messages', 'status'] as const;

/** Told when a user's status or plan changes, so cached token decisions are dropped at once. */
export interface UserChangeListener {
  forgetUser(userId: string): void;
}

export function createUserService(deps: { db: Db; clock: Clock; random: Random; tokens: UserChangeListener }) {
  const { db, clock, random, tokens } = deps;

  function checkBodySource(principal: InternalPrincipal, source: string | undefined) {
    if (principal.mode === 'scoped' && source !== undefined && source !== principal.source) throw new AppError('SOURCE_NOT_ALLOWED');
  }

  /** Creates or changes the plan; returns what it changed, for the audit trail. */
  async function writeSubscription(
    q: Queryable,
    userId: string,
    provider: string,
    v: Partial<subscriptions.SubscriptionValues>,
    now: Date,
  ): Promise<ChangeEntry> {
    const existing = await subscriptions.findSubscription(q, userId, provider, true);
    if (existing) {
      const after = await subscriptions.updateSubscription(q, existing.id, v, now);
      return { action: 'subscription.update', userId, changes: fieldChanges(existing, after, PLAN_FIELDS) };
    }
    if (!v.expiresAt) throw new AppError('SUBSCRIPTION_REQUIRED');
    const plan = { expiresAt: v.expiresAt, maxSessions: effectiveMaxSessions(v.maxSessions), maxMessages: v.maxMessages ?? 0 };
    const created = await subscriptions.insertSubscription(q, userId, provider, plan, now);
    return { action: 'subscription.create', userId, changes: fieldChanges(null, created, ['provider', ...PLAN_FIELDS]) };
  }

  /**
   * POST /internal/users: user and subscription in one transaction (go-service-api B13), the user row
   * locked so parallel upserts of one id serialise, and no take-over of another source's user (B14).
   */
  async function upsertUser(principal: InternalPrincipal, input: UpsertUserInput, origin: ChangeOrigin) {
    checkBodySource(principal, input.source);
    return db
      .tx(async (q) => {
        const now = clock.now();
        const key = newCustomerKey(random);
        const created = await users.insertUserIfAbsent(q, {
          id: input.user_id,
          source: input.source,
          keyHash: key.hash,
          keyHint: key.hint,
          createdBy: input.created_by ?? '',
          now,
        });
        const changes: ChangeEntry[] = [];
        if (created) {
          changes.push({
            action: 'user.create',
            userId: input.user_id,
            changes: { ...fieldChanges(null, created, USER_FIELDS), api_key: 'set' },
          });
        } else {
          const before = await loadOwnedUser(q, principal, input.user_id, true);
          const after = await users.updateUserFields(q, input.user_id, { source: input.source }, now);
          changes.push({ action: 'user.update', userId: input.user_id, changes: fieldChanges(before, after, ['source_service']) });
        }
        const plan = {
          expiresAt: input.expires_at,
          maxSessions: effectiveMaxSessions(input.max_sessions),
          maxMessages: input.max_messages ?? 0,
        };
        changes.push(await writeSubscription(q, input.user_id, input.provider || DEFAULT_PROVIDER, plan, now));
        await recordChanges(q, origin, changes, now);
        return { api_key: created ? key.key : '', note: UPSERT_NOTE, user_id: input.user_id };
      })
      .finally(() => tokens.forgetUser(input.user_id));
  }

  /** PUT /internal/users/:id: a patch; omitted fields keep their values (go-service-api B15). */
  async function updateUser(principal: InternalPrincipal, userId: string, input: UpdateUserInput, origin: ChangeOrigin) {
    checkBodySource(principal, input.source);
    await db
      .tx(async (q) => {
        const now = clock.now();
        const before = await loadOwnedUser(q, principal, userId, true);
        const after = await users.updateUserFields(q, userId, { source: input.source, status: input.status }, now);
        const changes: ChangeEntry[] = [
          { action: 'user.update', userId, changes: fieldChanges(before, after, ['source_service']) },
          { action: 'user.status', userId, changes: fieldChanges(before, after, ['status']) },
        ];
        const plan = {
          expiresAt: input.expires_at,
          maxMessages: input.max_messages,
          maxSessions: input.max_sessions === undefined ? undefined : effectiveMaxSessions(input.max_sessions),
        };
        if (Object.values(plan).some((v) => v !== undefined))
          changes.push(await writeSubscription(q, userId, input.provider || DEFAULT_PROVIDER, plan, now));
        await recordChanges(q, origin, changes, now);
      })
      .finally(() => tokens.forgetUser(userId));
    return { message: 'updated' };
  }

  async function listUsers(principal: InternalPrincipal, input: ListUsersInput) {
    const source = sourceFilter(principal, input.source);
    const provider = input.provider ?? DEFAULT_PROVIDER;
    const filter = { source, status: input.status || null };
    const [total, rows] = await Promise.all([
      users.countUsers(db, filter),
      users.listUsersPage(db, { ...filter, provider, limit: input.limit, offset: (input.page - 1) * input.limit }),
    ]);
    const now = clock.now();
    return {
      items: rows.map((r) => toUserItem(r, now)),
      meta: { limit: input.limit, page: input.page, provider, source: source ?? '', total },
    };
  }

  async function getUser(principal: InternalPrincipal, userId: string, provider = DEFAULT_PROVIDER): Promise<UserItem> {
    await loadOwnedUser(db, principal, userId);
    const [row] = await users.listUsersPage(db, { source: null, status: null, provider, limit: 1, offset: 0, userId });
    if (!row) throw new AppError('USER_NOT_FOUND');
    return toUserItem(row, clock.now());
  }

  return { upsertUser, updateUser, listUsers, getUser };
}
export type UserService = ReturnType<typeof createUserService>;
