import { AppError } from '../errors.js';
import type { InternalPrincipal } from '../lib/internal-keys.js';
import type { Queryable } from '../store/index.js';
import { findUserById, type UserRow } from '../store/users.js';

/**
 * A user as an internal key may reach it (SPEC §1): a scoped key reaches only users of its own
 * source, and others look like its own missing users (403, as the Go service answered).
 */
export async function loadOwnedUser(q: Queryable, principal: InternalPrincipal, userId: string, forUpdate = false): Promise<UserRow> {
  const user = await findUserById(q, userId, forUpdate);
  if (principal.mode === 'scoped' && user?.source_service !== principal.source) throw new AppError('USER_NOT_IN_SOURCE');
  if (!user) throw new AppError('USER_NOT_FOUND');
  return user;
}
