import { insertAuditRecords, type AuditRecord } from '../store/audit.js';
import type { Queryable } from '../store/index.js';

/**
 * Who changed something (SPEC §10): an internal key by its name (its source, or "global"), a
 * customer by its user id, or the gateway itself ("system", named by the job).
 */
export interface Actor {
  type: 'internal' | 'customer' | 'system';
  name: string;
}

/** Who made a change and from where: the request's id and client address (null for a job). */
export interface ChangeOrigin {
  actor: Actor;
  requestId: string | null;
  ip: string | null;
}

export const systemOrigin = (job: string): ChangeOrigin => ({ actor: { type: 'system', name: job }, requestId: null, ip: null });

export const AUDIT_ACTIONS = [
  'user.create',
  'user.update',
  'user.status',
  'subscription.create',
  'subscription.update',
  'subscription.expire',
  'apikey.rotate',
  'session.create',
  'session.update',
  'session.settings',
  'session.delete',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** A field's before → after; a secret only says what happened to it, never its value. */
export type FieldChange = { before: unknown; after: unknown } | 'set' | 'changed' | 'cleared';
export type Changes = Record<string, FieldChange>;

// An instant by its ISO text; an empty text is no value, as the Go service wrote "" for "none".
const comparable = (v: unknown) => (v instanceof Date ? v.toISOString() : v === '' ? null : (v ?? null));

/** The named fields whose values differ between `before` and `after` (a missing row reads as nulls). */
export function fieldChanges<K extends string>(
  before: Partial<Record<K, unknown>> | null,
  after: Partial<Record<K, unknown>> | null,
  fields: readonly K[],
): Changes {
  const changes: Changes = {};
  for (const field of fields) {
    const [b, a] = [comparable(before?.[field]), comparable(after?.[field])];
    if (b !== a) changes[field] = { before: b, after: a };
  }
  return changes;
}

/** What happened to a secret, given its plaintext before and after; null when nothing did. */
export function secretChange(before: string | null | undefined, after: string | null | undefined): FieldChange | null {
  if ((before || null) === (after || null)) return null;
  if (!after) return 'cleared';
  return before ? 'changed' : 'set';
}

/** One change to record: which action, on whose data, and what it changed. */
export interface ChangeEntry {
  action: AuditAction;
  userId: string;
  sessionId?: string | null;
  changes: Changes;
}

/** The records of `entries`; an entry that changed nothing makes none (no record without its change). */
export function auditRecords(origin: ChangeOrigin, entries: readonly ChangeEntry[], at: Date): AuditRecord[] {
  return entries
    .filter((e) => Object.keys(e.changes).length > 0)
    .map((e) => ({
      at,
      actor_type: origin.actor.type,
      actor_name: origin.actor.name,
      action: e.action,
      user_id: e.userId,
      session_id: e.sessionId ?? null,
      request_id: origin.requestId,
      ip: origin.ip,
      changes: e.changes,
    }));
}

/**
 * Writes the records of a change inside the change's own transaction `q` (issue 18): if the change
 * fails the records are rolled back with it, and if a record cannot be written the change fails.
 */
export async function recordChanges(q: Queryable, origin: ChangeOrigin, entries: readonly ChangeEntry[], at: Date): Promise<void> {
  await insertAuditRecords(q, auditRecords(origin, entries, at));
}
