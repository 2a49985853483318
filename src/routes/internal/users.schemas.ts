import { Type } from 'typebox';
import { MAX_GRACE_SECONDS } from '../../services/api-keys.js';
import { DateTime, DateTimeInput, Nullable, errors } from '../schemas.js';

const UserId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\x00-\\x1f]*[^\\s\\x00-\\x1f][^\\x00-\\x1f]*$' });
const Source = Type.String({ minLength: 1, maxLength: 64, pattern: '\\S' });
const Provider = Type.String({ maxLength: 32 });

export const UserIdParams = Type.Object({ user_id: UserId });

export const UpsertUserBody = Type.Object({
  user_id: UserId,
  source: Source,
  expires_at: DateTimeInput,
  max_sessions: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  max_messages: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  provider: Type.Optional(Provider),
  created_by: Type.Optional(Type.String({ maxLength: 128 })),
});

/** A patch: the Go body (with `user_id`, ignored) still fits, and omitted fields keep their values. */
export const UpdateUserBody = Type.Object({
  user_id: Type.Optional(Type.String()),
  source: Type.Optional(Source),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('inactive')])),
  expires_at: Type.Optional(DateTimeInput),
  max_sessions: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  max_messages: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  provider: Type.Optional(Provider),
});

export const ListUsersQuery = Type.Object({
  source: Type.Optional(Type.String({ maxLength: 64 })),
  provider: Type.Optional(Provider),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('inactive'), Type.Literal('')])),
  page: Type.Integer({ minimum: 1, default: 1 }),
  // Larger pages are cut to 100, as the Go service did, rather than refused.
  limit: Type.Integer({ minimum: 1, default: 20 }),
});

export const ProviderQuery = Type.Object({ provider: Type.Optional(Provider) });

const Subscription = Type.Object({
  id: Type.Integer(),
  provider: Type.String(),
  status: Type.String(),
  expires_at: DateTime,
  max_sessions: Type.Integer(),
  max_messages: Type.Integer(),
  messages_used: Type.Integer(),
  created_at: Nullable(DateTime),
  updated_at: Nullable(DateTime),
});

export const UserItem = Type.Object({
  user_id: Type.String(),
  id: Type.String(),
  source_service: Type.String(),
  status: Type.String(),
  created_by: Type.String(),
  created_at: Nullable(DateTime),
  updated_at: Nullable(DateTime),
  subscription: Nullable(Subscription),
  session_count: Type.Integer(),
  /** SPEC §10: the user's sessions by health. */
  sessions_by_health: Type.Object({
    healthy: Type.Integer(),
    disconnected: Type.Integer(),
    logged_out: Type.Integer(),
    silent: Type.Integer(),
    unknown: Type.Integer(),
  }),
});

export const UserList = Type.Object({
  items: Type.Array(UserItem),
  meta: Type.Object({ limit: Type.Integer(), page: Type.Integer(), provider: Type.String(), source: Type.String(), total: Type.Integer() }),
});

export const UpsertUserReply = Type.Object({ api_key: Type.String(), note: Type.String(), user_id: Type.String() });
export const MessageReply = Type.Object({ message: Type.String() });
export const ApiKeyInfo = Type.Object({
  user_id: Type.String(),
  note: Type.String(),
  has_api_key: Type.Boolean(),
  api_key_hint: Nullable(Type.String()),
  api_key_updated_at: Nullable(DateTime),
  last_used_at: Nullable(DateTime),
  previous_key_expires_at: Nullable(DateTime),
  previous_key_last_used_at: Nullable(DateTime),
});
/** SPEC §10: the replaced key keeps working for `grace_seconds` (0 to a week; 0, the default: not at all). */
export const RotateBody = Type.Object({
  grace_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_GRACE_SECONDS, default: 0 })),
});
export const RotateReply = Type.Object({ api_key: Type.String(), user_id: Type.String() });
export const Me = Type.Object({
  auth: Type.Object({ mode: Type.Union([Type.Literal('scoped'), Type.Literal('global')]), source_service: Type.String() }),
});

export const readErrors = errors(400, 401, 403, 404);
export const writeErrors = errors(400, 401, 403, 404, 413);
