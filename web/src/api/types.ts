/**
 * The shapes the console sends and reads, taken from the gateway's own TypeBox schemas (src/routes):
 * a field renamed or dropped there breaks this typecheck, not a page at run time. Type-only imports:
 * nothing of the server reaches the bundle (`@server/*` is known to tsc only; a value import fails the build).
 */
import type { ContactList as ContactListSchema, SyncReply } from '@server/routes/customer/contacts.schemas';
import type { MeReply } from '@server/routes/customer/me.schemas';
import type {
  CreateSessionBody,
  Health as HealthSchema,
  SessionList as SessionListSchema,
  SessionReply as SessionReplySchema,
  Session as SessionSchema,
  WebhookFormat as WebhookFormatSchema,
} from '@server/routes/customer/sessions.schemas';
import type {
  SettingsBody,
  Settings as SettingsSchema,
  SettingsSaved as SettingsSavedSchema,
} from '@server/routes/customer/settings.schemas';
import type {
  DeliveryList as DeliveryListSchema,
  DeliveryReply as DeliveryReplySchema,
  Delivery as DeliverySchema,
} from '@server/routes/customer/webhook-deliveries.schemas';
import type { AuditItem as AuditItemSchema, AuditPage as AuditPageSchema } from '@server/routes/internal/audit.schemas';
import type {
  ApiKeyInfo as ApiKeyInfoSchema,
  MessageReply as MessageReplySchema,
  Me as OperatorMeSchema,
  RotateReply as RotateReplySchema,
  UpdateUserBody,
  UpsertUserBody,
  UpsertUserReply as UpsertUserReplySchema,
  UserItem as UserItemSchema,
  UserList,
} from '@server/routes/internal/users.schemas';
import type { Overview as OverviewSchema, UsageReport as UsageReportSchema, UsageTotalsPage } from '@server/routes/usage.schemas';
import type { Static, TSchema } from 'typebox';

/** A reply as it arrives: the server's `Date`s (routes/schemas.ts `DateTime`) are RFC 3339 strings on the wire. */
export type Json<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;
type Reply<T extends TSchema> = Json<Static<T>>;

export type Me = Reply<typeof MeReply>;

/** SPEC §10: `provider` delivers genfity-wa's own body, `envelope` the gateway's JSON envelope. */
export type WebhookFormat = Static<typeof WebhookFormatSchema>;

/** SPEC §10 "Session health". */
export type Health = Static<typeof HealthSchema>;

export type Session = Reply<typeof SessionSchema>;
export type SessionList = Reply<typeof SessionListSchema>;
export type SessionReply = Reply<typeof SessionReplySchema>;
export type CreateSessionInput = Static<typeof CreateSessionBody>;
/** What an `event: state` of the live stream says (the same fields as the session object). */
export type SessionState = Pick<
  Session,
  'session_id' | 'status' | 'connected' | 'logged_in' | 'jid' | 'health' | 'last_event_at' | 'last_checked_at'
>;

export type Settings = Reply<typeof SettingsSchema>;
export type SettingsSaved = Reply<typeof SettingsSavedSchema>;
export type SettingsInput = Static<typeof SettingsBody>;

export type ContactList = Reply<typeof ContactListSchema>;
export type SyncCounts = Reply<typeof SyncReply>;

export type Delivery = Reply<typeof DeliverySchema>;
export type DeliveryList = Reply<typeof DeliveryListSchema>;
export type DeliveryReply = Reply<typeof DeliveryReplySchema>;

/** What the provider's session status says, whichever case its keys come in (api/link.ts reads it). */
export interface LinkState {
  connected: boolean;
  loggedIn: boolean;
  jid: string;
  events: string;
}

export type OperatorMe = Reply<typeof OperatorMeSchema>;
export type UserItem = Reply<typeof UserItemSchema>;
export type UserPage = Reply<typeof UserList>;
export type UpsertUserInput = Static<typeof UpsertUserBody>;
export type UpsertUserReply = Reply<typeof UpsertUserReplySchema>;
export type UpdateUserInput = Static<typeof UpdateUserBody>;
export type MessageReply = Reply<typeof MessageReplySchema>;
export type RotateReply = Reply<typeof RotateReplySchema>;

/** Usage history (SPEC §10): Asia/Jakarta days, every day of the range present. */
export type UsageReport = Reply<typeof UsageReportSchema>;
export type UsageCounts = UsageReport['totals'];
export type UsageDay = Omit<UsageReport['days'][number], 'by_type'>;
export type UsageTotalsItem = Reply<typeof UsageTotalsPage>['items'][number];
/** `GET /internal/overview`: the operator's overview page. */
export type Overview = Reply<typeof OverviewSchema>;
/** `GET /internal/users/:user_id/apikey` (issue 18): never the key nor its hash. */
export type ApiKeyInfo = Reply<typeof ApiKeyInfoSchema>;

/** An audit record (issue 18); a field's change is before → after, a secret only "set", "changed" or "cleared". */
export type AuditItem = Reply<typeof AuditItemSchema>;
export type FieldChange = AuditItem['changes'][string];
export type AuditPage = Reply<typeof AuditPageSchema>;
