import { AppError } from '../errors.js';
import type { Clock } from '../lib/clock.js';
import { generateSecret, secretHint } from '../lib/ids.js';
import type { Random } from '../lib/random.js';
import type { InternalPrincipal } from '../lib/internal-keys.js';
import { sha256Hex } from '../lib/secrets.js';
import type { Db, Queryable } from '../store/index.js';
import * as subscriptions from '../store/subscriptions.js';
import * as users from '../store/users.js';
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
const KEY_NOTE = 'api key tidak dapat dibaca kembali karena disimpan dalam bentuk hash';

/** Told when a user's status or plan changes, so cached token decisions are dropped at once. */
export interface UserChangeListener {
  forgetUser(userId: string): void;
}

export function createUserService(deps: { db: Db; clock: Clock; random: Random; tokens: UserChangeListener }) {
  const { db, clock, random, tokens } = deps;

  const newKey = () => {
    const key = generateSecret(random, 'gwa');
    return { key, hash: sha256Hex(key), hint: secretHint(key) };
  };

  function checkBodySource(principal: InternalPrincipal, source: string | undefined) {
    if (principal.mode === 'scoped' && source !== undefined && source !== principal.source) throw new AppError('SOURCE_NOT_ALLOWED');
  }

  async function writeSubscription(q: Queryable, userId: string, provider: string, v: Partial<subscriptions.SubscriptionValues>) {
    const now = clock.now();
    const existing = await subscriptions.findSubscription(q, userId, provider);
    if (existing) return subscriptions.updateSubscription(q, existing.id, v, now);
    if (!v.expiresAt) throw new AppError('SUBSCRIPTION_REQUIRED');
    return subscriptions.insertSubscription(
      q,
      userId,
      provider,
      {
        expiresAt: v.expiresAt,
        maxSessions: effectiveMaxSessions(v.maxSessions),
        maxMessages: v.maxMessages ?? 0,
      },
      now,
    );
  }

  /**
   * POST /internal/users: user and subscription in one transaction (go-service-api B13), the user row
   * locked so parallel upserts of one id serialise, and no take-over of another source's user (B14).
   */
  async function upsertUser(principal: InternalPrincipal, input: UpsertUserInput) {
    checkBodySource(principal, input.source);
    return db
      .tx(async (q) => {
        const key = newKey();
        const created = await users.insertUserIfAbsent(q, {
          id: input.user_id,
          source: input.source,
          keyHash: key.hash,
          keyHint: key.hint,
          createdBy: input.created_by ?? '',
          now: clock.now(),
        });
        if (!created) {
          await loadOwnedUser(q, principal, input.user_id, true);
          await users.updateUserFields(q, input.user_id, { source: input.source }, clock.now());
        }
        await writeSubscription(q, input.user_id, input.provider || DEFAULT_PROVIDER, {
          expiresAt: input.expires_at,
          maxSessions: effectiveMaxSessions(input.max_sessions),
          maxMessages: input.max_messages ?? 0,
        });
        return { api_key: created ? key.key : '', note: UPSERT_NOTE, user_id: input.user_id };
      })
      .finally(() => tokens.forgetUser(input.user_id));
  }

  /** PUT /internal/users/:id: a patch; omitted fields keep their values (go-service-api B15). */
  async function updateUser(principal: InternalPrincipal, userId: string, input: UpdateUserInput) {
    checkBodySource(principal, input.source);
    await db
      .tx(async (q) => {
        await loadOwnedUser(q, principal, userId, true);
        await users.updateUserFields(q, userId, { source: input.source, status: input.status }, clock.now());
        const plan = {
          expiresAt: input.expires_at,
          maxMessages: input.max_messages,
          maxSessions: input.max_sessions === undefined ? undefined : effectiveMaxSessions(input.max_sessions),
        };
        if (Object.values(plan).some((v) => v !== undefined)) await writeSubscription(q, userId, input.provider || DEFAULT_PROVIDER, plan);
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

  async function getApiKeyInfo(principal: InternalPrincipal, userId: string) {
    const user = await loadOwnedUser(db, principal, userId);
    return {
      user_id: user.id,
      note: KEY_NOTE,
      has_api_key: true,
      api_key_hint: user.api_key_hint,
      api_key_updated_at: user.api_key_updated_at ?? user.created_at,
    };
  }

  /** The old key stops working at once; an unknown id is a 404, never a key stored nowhere (B16). */
  async function rotateApiKey(principal: InternalPrincipal, userId: string) {
    return db.tx(async (q) => {
      await loadOwnedUser(q, principal, userId, true);
      const key = newKey();
      await users.setUserKey(q, userId, key.hash, key.hint, clock.now());
      return { api_key: key.key, user_id: userId };
    });
  }

  return { upsertUser, updateUser, listUsers, getUser, getApiKeyInfo, rotateApiKey };
}
export type UserService = ReturnType<typeof createUserService>;
