import { Type } from 'typebox';
import { AUDIT_ACTIONS } from '../../services/audit-trail.js';
import { DateTime, Nullable, errors } from '../schemas.js';

// A day (`2026-06-01`) or an RFC 3339 instant; anything else is a 400 (SPEC §10, issue 18).
const When = Type.Union([Type.String({ format: 'date' }), Type.String({ format: 'date-time' })]);

export const AuditQuery = Type.Object({
  user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  action: Type.Optional(Type.Union(AUDIT_ACTIONS.map((a) => Type.Literal(a)))),
  from: Type.Optional(When),
  to: Type.Optional(When),
  page: Type.Integer({ minimum: 1, default: 1 }),
  // Larger pages are cut to 100, as on GET /internal/users, rather than refused.
  limit: Type.Integer({ minimum: 1, default: 20 }),
});

const Secret = Type.Union([Type.Literal('set'), Type.Literal('changed'), Type.Literal('cleared')]);
const FieldChange = Type.Union([Type.Object({ before: Type.Unknown(), after: Type.Unknown() }), Secret]);

export const AuditItem = Type.Object({
  id: Type.Integer(),
  at: DateTime,
  actor: Type.Object({
    type: Type.Union([Type.Literal('internal'), Type.Literal('customer'), Type.Literal('system')]),
    name: Type.String(),
  }),
  action: Type.String(),
  user_id: Type.String(),
  session_id: Nullable(Type.String()),
  request_id: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  changes: Type.Record(Type.String(), FieldChange, {
    description: 'field → {"before","after"}; a secret → "set", "changed" or "cleared", never its value',
  }),
});

export const AuditPage = Type.Object({
  items: Type.Array(AuditItem),
  meta: Type.Object({ page: Type.Integer(), limit: Type.Integer(), total: Type.Integer() }),
});

export const auditErrors = errors(400, 401, 403);
