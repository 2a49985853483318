import { Type } from 'typebox';
import { DateTime, Nullable } from '../schemas.js';

const Contact = Type.Object({
  id: Type.Integer(),
  user_id: Type.String(),
  session_id: Type.String(),
  jid: Type.String(),
  name: Type.String(),
  phone: Type.String(),
  raw: Nullable(Type.Record(Type.String(), Type.Unknown())),
  last_synced_at: Nullable(DateTime),
  created_at: Nullable(DateTime),
  updated_at: Nullable(DateTime),
});
const Counts = Type.Object({ added: Type.Integer(), updated: Type.Integer(), removed: Type.Integer(), total: Type.Integer() });
export const ContactList = Type.Object({
  contacts: Type.Array(Contact),
  synced: Type.Boolean(),
  sync_error: Nullable(Type.String()),
  sync: Nullable(Counts),
});
export const SyncReply = Type.Object({
  synced: Type.Integer(),
  added: Type.Integer(),
  updated: Type.Integer(),
  removed: Type.Integer(),
  total: Type.Integer(),
});
// As the Go service: only the word "true" (any case) syncs; anything else, `false` included, does not.
export const ContactQuery = Type.Object({
  sync: Type.Optional(Type.String({ maxLength: 16 })),
  q: Type.Optional(Type.String({ maxLength: 128 })),
});
