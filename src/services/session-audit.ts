import type { SessionRow } from '../store/sessions.js';
import { fieldChanges, secretChange, type Changes } from './audit-trail.js';

// What the audit trail shows of a session's settings (SPEC §10); secrets only as set/changed/cleared.
const SESSION_FIELDS = ['session_name', 'webhook_url', 'events', 'auto_read_enabled', 'typing_enabled', 'webhook_format'] as const;

type Revealed = Pick<SessionRow, (typeof SESSION_FIELDS)[number] | 'webhook_secret'>;

/** before → after of a session's settings; both rows with their secrets readable (revealSession). */
export function sessionChanges(before: Revealed | null, after: Revealed): Changes {
  const changes = fieldChanges(before, after, SESSION_FIELDS);
  const secret = secretChange(before?.webhook_secret, after.webhook_secret);
  return secret ? { ...changes, webhook_secret: secret } : changes;
}

/** A new session: its settings, and that it has a token (never the token). */
export const createdSessionChanges = (after: Revealed): Changes => ({ ...sessionChanges(null, after), session_token: 'set' });

/** A deleted session: what identified it. */
export const deletedSessionChanges = (before: Pick<SessionRow, 'session_name' | 'j_id'>): Changes =>
  fieldChanges({ session_name: before.session_name, jid: before.j_id || null }, null, ['session_name', 'jid']);
