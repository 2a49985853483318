/** The shapes the console reads; they mirror the gateway's response schemas (src/routes). */
export interface Me {
  user: { id: string; source_service: string; status: string; created_at: string | null };
  subscription: { max_sessions: number | null; max_messages: number | null; expires_at: string; status: string };
  quota: { max_messages: number; used: number; remaining: number | null; period_started_at: string | null };
}

/** SPEC §10: `provider` delivers genfity-wa's own body, `envelope` the gateway's JSON envelope. */
export type WebhookFormat = 'provider' | 'envelope';

/** SPEC §10 "Session health". */
export type Health = 'healthy' | 'disconnected' | 'logged_out' | 'silent' | 'unknown';

export interface Session {
  session_id: string;
  session_name: string;
  session_token: string;
  status: string;
  connected: boolean;
  logged_in: boolean;
  jid: string;
  health: Health;
  last_event_at: string | null;
  last_checked_at: string | null;
  webhook_url: string;
  webhook_secret_set: boolean;
  webhook_format: WebhookFormat;
  auto_read_enabled: boolean;
  typing_enabled: boolean;
  last_message_sent: number;
  last_message_fail: number;
  created_at: string | null;
}

/** What an `event: state` of the live stream says (the same fields as the session object). */
export type SessionState = Pick<
  Session,
  'session_id' | 'status' | 'connected' | 'logged_in' | 'jid' | 'health' | 'last_event_at' | 'last_checked_at'
>;

export interface CreateSessionInput {
  session_name: string;
  webhook_url?: string;
  webhook_secret?: string;
  auto_connect?: boolean;
  auto_read_enabled?: boolean;
  typing_enabled?: boolean;
}

export interface TypeStat {
  message_type: string;
  sent: number;
  failed: number;
  last_success_at: string | null;
  last_failed_at: string | null;
}

export interface Settings {
  session_id: string;
  webhook_url: string;
  webhook_secret_set: boolean;
  webhook_format: WebhookFormat;
  auto_read_enabled: boolean;
  typing_enabled: boolean;
  message_stats: { sent: number; failed: number; by_type: TypeStat[] };
}

export interface SettingsInput {
  webhook_url?: string;
  webhook_secret?: string;
  webhook_format?: WebhookFormat;
  auto_read_enabled?: boolean;
  typing_enabled?: boolean;
}

export interface Contact {
  jid: string;
  name: string;
  phone: string;
}
export interface ContactList {
  contacts: Contact[];
  synced: boolean;
  sync_error: string | null;
}
export interface SyncCounts {
  synced: number;
  added: number;
  updated: number;
  removed: number;
  total: number;
}

export interface Delivery {
  id: string | number;
  event_id: string;
  event_type: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
}

/** What the provider's session status says, whichever case its keys come in. */
export interface LinkState {
  connected: boolean;
  loggedIn: boolean;
  jid: string;
  events: string;
}

export interface OperatorMe {
  auth: { mode: 'scoped' | 'global'; source_service: string };
}

export interface UserSubscription {
  status: string;
  expires_at: string;
  max_sessions: number;
  max_messages: number;
  messages_used: number;
}

export interface UserItem {
  id: string;
  user_id: string;
  source_service: string;
  status: string;
  created_at: string | null;
  subscription: UserSubscription | null;
  session_count: number;
  sessions_by_health?: Record<Health, number>;
}

export interface UserPage {
  items: UserItem[];
  meta: { total: number; page: number; limit: number };
}

export interface UpsertUserInput {
  user_id: string;
  source: string;
  expires_at: string;
  max_sessions?: number;
  max_messages?: number;
}

export interface UpdateUserInput {
  status?: 'active' | 'inactive';
  expires_at?: string;
  max_sessions?: number;
  max_messages?: number;
  source?: string;
}
