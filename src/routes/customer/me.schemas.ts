import { Type } from 'typebox';
import { DateTime, Nullable } from '../schemas.js';

// Allow-lists: what is not named here is never sent, which is what keeps the key hash out (B17).
const User = Type.Object({
  id: Type.String(),
  source_service: Type.String(),
  created_by: Type.String(),
  status: Type.String(),
  created_at: Nullable(DateTime),
  updated_at: Nullable(DateTime),
});
const Subscription = Type.Object({
  id: Type.Integer(),
  user_id: Type.String(),
  provider: Nullable(Type.String()),
  max_sessions: Nullable(Type.Integer()),
  max_messages: Nullable(Type.Integer()),
  expires_at: DateTime,
  status: Type.String(),
  created_at: Nullable(DateTime),
  updated_at: Nullable(DateTime),
});
const Quota = Type.Object({
  max_messages: Type.Integer(),
  used: Type.Integer(),
  remaining: Nullable(Type.Integer()),
  period_started_at: Nullable(DateTime),
});
export const MeReply = Type.Object({ user: User, subscription: Subscription, quota: Quota });
