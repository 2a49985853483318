import type { Clock } from '../lib/clock.js';
import { generateSecret, secretHint } from '../lib/ids.js';
import type { Random } from '../lib/random.js';
import type { InternalPrincipal } from '../lib/internal-keys.js';
import { sha256Hex } from '../lib/secrets.js';
import { rotateUserKey } from '../store/api-keys.js';
import type { Db } from '../store/index.js';
import type { UserRow } from '../store/users.js';
import { recordChanges, type ChangeOrigin } from './audit-trail.js';
import { loadOwnedUser } from './owned-user.js';

const KEY_NOTE = 'api key tidak dapat dibaca kembali karena disimpan dalam bentuk hash';
/** SPEC §10: the previous key may live for at most a week. */
export const MAX_GRACE_SECONDS = 604_800;

/** A new customer key in the Go format; only its SHA-256 and a short hint are ever stored. */
export function newCustomerKey(random: Random) {
  const key = generateSecret(random, 'gwa');
  return { key, hash: sha256Hex(key), hint: secretHint(key) };
}

/** Until when the key a rotation replaced still works; null when there is none that works at `now`. */
export function previousKeyDeadline(user: Pick<UserRow, 'previous_api_key_expires_at'>, now: Date): Date | null {
  const until = user.previous_api_key_expires_at;
  return until && until.getTime() > now.getTime() ? until : null;
}

/**
 * Whether a key that matched a user lets it in at `now` (SPEC §10): the current key always does, the
 * previous one until its deadline and not a millisecond later. The deadline travels with the row, so
 * a cache of authenticated keys (on any instance) refuses the previous key on time as well.
 */
export function keyAccepted(match: { current_key: boolean } & Pick<UserRow, 'previous_api_key_expires_at'>, now: Date): boolean {
  return match.current_key || previousKeyDeadline(match, now) !== null;
}

export function createApiKeyService(deps: { db: Db; clock: Clock; random: Random }) {
  const { db, clock, random } = deps;

  /** GET …/apikey: never the key nor its hash; last uses to the minute (services/key-usage.ts). */
  async function getApiKeyInfo(principal: InternalPrincipal, userId: string) {
    const user = await loadOwnedUser(db, principal, userId);
    const previousUntil = previousKeyDeadline(user, clock.now());
    return {
      user_id: user.id,
      note: KEY_NOTE,
      has_api_key: true,
      api_key_hint: user.api_key_hint,
      api_key_updated_at: user.api_key_updated_at ?? user.created_at,
      last_used_at: user.api_key_last_used_at,
      previous_key_expires_at: previousUntil,
      previous_key_last_used_at: previousUntil ? user.previous_api_key_last_used_at : null,
    };
  }

  /**
   * A new key; the old one keeps working for `graceSeconds` (0: stops at once, as the Go service).
   * A previous key still in its grace is dropped at once (one previous key at most). An unknown id
   * is a 404, never a key stored nowhere (go-service-api B16). Recorded in the same transaction.
   */
  async function rotateApiKey(principal: InternalPrincipal, userId: string, graceSeconds: number, origin: ChangeOrigin) {
    return db.tx(async (q) => {
      const now = clock.now();
      const user = await loadOwnedUser(q, principal, userId, true);
      const key = newCustomerKey(random);
      const previousUntil = graceSeconds > 0 ? new Date(now.getTime() + graceSeconds * 1000) : null;
      await rotateUserKey(q, userId, { hash: key.hash, hint: key.hint, now, previousUntil });
      const before = previousKeyDeadline(user, now)?.toISOString() ?? null;
      const after = previousUntil?.toISOString() ?? null;
      const changes = { api_key: 'changed' as const, ...(before === after ? {} : { previous_key_expires_at: { before, after } }) };
      await recordChanges(q, origin, [{ action: 'apikey.rotate', userId, changes }], now);
      return { api_key: key.key, user_id: userId };
    });
  }

  return { getApiKeyInfo, rotateApiKey };
}
export type ApiKeyService = ReturnType<typeof createApiKeyService>;
