import { Type } from 'typebox';
import { WEBHOOK_FORMATS } from '../../lib/webhook-format-names.js';
import { HEALTH_STATES } from '../../services/session-health.js';
import { DateTime, Nullable, errors } from '../schemas.js';

// No control characters: no provider or gateway id has them, and PostgreSQL refuses a NUL in text.
export const SessionParams = Type.Object({ session_id: Type.String({ minLength: 1, maxLength: 128, pattern: '^[^\\x00-\\x1f]+$' }) });

const Name = Type.String({ minLength: 1, maxLength: 255, pattern: '\\S' });
const WebhookUrl = Type.String({ maxLength: 2048 });
const WebhookSecret = Type.String({ maxLength: 512 });
const Events = Type.String({ maxLength: 2048 });
/** SPEC §10: `provider` (genfity-wa's own body) or `envelope` (the gateway's JSON envelope). */
export const WebhookFormat = Type.Enum(WEBHOOK_FORMATS, {
  description: "`provider`: genfity-wa's event exactly as it posted it (default); `envelope`: the gateway's JSON envelope",
});

/** SPEC §10 "Session health". */
export const Health = Type.Enum(HEALTH_STATES, {
  description:
    '`healthy`: linked and connected; `disconnected`: linked, not connected (reconnect); `logged_out`: no phone linked (scan the QR code); ' +
    '`silent`: connected but nothing heard from the provider for SESSION_SILENT_AFTER; `unknown`: not checked yet, or the provider does not know the session',
});

export const CreateSessionBody = Type.Object({
  session_name: Name,
  webhook_url: Type.Optional(WebhookUrl),
  webhook_secret: Type.Optional(WebhookSecret),
  events: Type.Optional(Events),
  expiration_sec: Type.Optional(Type.Integer({ minimum: 0 })),
  history: Type.Optional(Type.Integer({ minimum: 0 })),
  auto_connect: Type.Optional(Type.Boolean()),
  auto_read_enabled: Type.Optional(Type.Boolean()),
  typing_enabled: Type.Optional(Type.Boolean()),
  webhook_format: Type.Optional(WebhookFormat),
});

/** Every create field but `auto_connect`, each optional: omitted fields keep their values. */
export const UpdateSessionBody = Type.Partial(Type.Omit(CreateSessionBody, ['auto_connect']));

export const Session = Type.Object({
  id: Type.Integer(),
  user_id: Type.String(),
  provider: Type.String(),
  session_id: Type.String(),
  session_name: Type.String(),
  session_token: Type.String(),
  webhook_url: Type.String(),
  webhook_secret_set: Type.Boolean(),
  webhook_format: WebhookFormat,
  auto_read_enabled: Type.Boolean(),
  typing_enabled: Type.Boolean(),
  connected: Type.Boolean(),
  logged_in: Type.Boolean(),
  jid: Type.String(),
  status: Type.String(),
  health: Health,
  last_event_at: Nullable(DateTime),
  last_checked_at: Nullable(DateTime),
  last_synced_at: Nullable(DateTime),
  last_activity_at: Nullable(DateTime),
  last_message_sent: Type.Integer(),
  last_message_fail: Type.Integer(),
  created_at: Nullable(DateTime),
  updated_at: Nullable(DateTime),
});

export const SessionReply = Type.Object({ session: Session });
export const SessionList = Type.Object({ sessions: Type.Array(Session) });
/** The provider's own delete answer is relayed as it is, as the Go service did. */
export const ProviderBody = Type.Unknown({ description: "genfity-wa's answer, relayed unchanged" });

export const sessionErrors = errors(400, 401, 403, 404, 413, 502, 504);
