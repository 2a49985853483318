import { Type } from 'typebox';
import { DateTime, Nullable } from '../schemas.js';
import { WebhookFormat } from './sessions.schemas.js';

export const SettingsBody = Type.Object({
  webhook_url: Type.Optional(Type.String({ maxLength: 2048 })),
  webhook_secret: Type.Optional(Type.String({ maxLength: 512 })),
  auto_read_enabled: Type.Optional(Type.Boolean()),
  typing_enabled: Type.Optional(Type.Boolean()),
  webhook_format: Type.Optional(WebhookFormat),
});
const TypeStat = Type.Object({
  message_type: Type.String(),
  sent: Type.Integer(),
  failed: Type.Integer(),
  last_success_at: Nullable(DateTime),
  last_failed_at: Nullable(DateTime),
});
export const Settings = Type.Object({
  session_id: Type.String(),
  webhook_url: Type.String(),
  webhook_secret_set: Type.Boolean(),
  webhook_format: WebhookFormat,
  auto_read_enabled: Type.Boolean(),
  typing_enabled: Type.Boolean(),
  message_stat_sent: Type.Integer(),
  message_stat_failed: Type.Integer(),
  message_stats: Type.Object({ sent: Type.Integer(), failed: Type.Integer(), by_type: Type.Array(TypeStat) }),
});
export const SettingsSaved = Type.Object({ message: Type.String(), settings: Settings });
