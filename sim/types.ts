/** Public and shared types of the genfity-wa provider simulator. */

export type WebhookFormat = 'form' | 'json';

export interface SimulatorOptions {
  /** Compared byte-for-byte with `Authorization` on /admin routes (contract §1: no Bearer stripping). */
  adminToken: string;
  /** Global webhook: every event that passes a session's filter is also posted here (contract §7). */
  globalWebhookUrl?: string;
  /** Key for the global webhook's `x-hmac-signature`. Without it the real provider signs with a random key. */
  globalHmacKey?: string;
  /** Stall of POST /session/connect without `Immediate:true` (the provider sleeps 10 s). Default 2000 ms. */
  connectStallMs?: number;
  /** Body format of outbound webhooks (env WEBHOOK_FORMAT of the provider). Default `form`. */
  webhookFormat?: WebhookFormat;
  /** Total delivery attempts per target (provider default 5). Default 5. */
  webhookRetryCount?: number;
  /** First retry delay, doubling after each failure (provider default 30 s). Default 30000 ms. */
  webhookRetryDelayMs?: number;
  /** Per-attempt webhook timeout (provider: 30 s). Default 30000 ms. */
  webhookTimeoutMs?: number;
  /** Lifetime of the first QR code; later codes live `qrRotateMs` (whatsmeow: 60 s then 20 s). */
  qrFirstMs?: number;
  qrRotateMs?: number;
  /** Codes before the QR flow times out (whatsmeow sends 6). Default 6. */
  qrCodes?: number;
}

export type SimulatorConfig = Required<Omit<SimulatorOptions, 'globalWebhookUrl' | 'globalHmacKey'>> &
  Pick<SimulatorOptions, 'globalWebhookUrl' | 'globalHmacKey'>;

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** When it arrived and when its answer was done (`Date.now()`): call rates and overlaps are read from them. */
  at: number;
  answeredAt?: number;
}

export interface Delivery {
  url: string;
  target: 'user' | 'global';
  eventType: string;
  attempt: number;
  headers: Record<string, string>;
  body: string;
  status?: number;
  error?: string;
}

/** A provider user made outside the admin API (`addUser`): an installation the gateway adopts. */
export interface ExistingUser {
  id: string;
  token: string;
  name?: string;
  webhook?: string;
  events?: string;
  /** Set and active, as after `POST /session/hmac/config`. */
  hmacKey?: string;
}

export interface S3Config {
  enabled: boolean;
  endpoint: string;
  region: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  pathStyle: boolean;
  publicURL: string;
  mediaDelivery: string;
  retentionDays: number;
}

/** The `users` table row of the provider. */
export interface UserRow {
  id: string;
  name: string;
  token: string;
  webhook: string;
  expiration: number;
  events: string;
  history: number;
  proxyUrl: string;
  s3: S3Config;
  hmacKey: string | null;
  jid: string;
  qrcode: string;
}

/**
 * The provider's in-memory token cache entry (handlers.go:178-189). Status, webhook routing and the
 * subscription filter read this, not the row, so it can lag behind admin edits (contract §4, §7).
 */
export interface CacheEntry {
  name: string;
  jid: string;
  webhook: string;
  token: string;
  proxy: string;
  events: string;
  qrcode: string;
  history: string;
  /** Only POST /session/hmac/config fills this; a key given at create time never reaches it (§7). */
  hmacKey: string | null;
}

export interface ContactInfo {
  Found: boolean;
  FirstName: string;
  FullName: string;
  PushName: string;
  BusinessName: string;
  RedactedPhone: string;
}

export interface HistoryMessage {
  id: number;
  user_id: string;
  chat_jid: string;
  sender_jid: string;
  message_id: string;
  timestamp: string;
  message_type: string;
  text_content: string;
  media_link: string;
  quoted_message_id: string;
  datajson: string;
}

/** The whatsmeow client of one session; `null` on the session means "no session". */
export interface Client {
  connected: boolean;
  loggedIn: boolean;
  /** Token the client was started with; a later token change leaves it stale (contract §2 PUT). */
  token: string;
  pushName: string;
}

export interface Session {
  client: Client | null;
  /** Whether the device store holds a paired device, so the next connect logs in without a QR. */
  devicePaired: boolean;
  contacts: Record<string, ContactInfo>;
  /** The raw pairing string currently shown as QR, so tests can re-render and compare the image. */
  qrPairing: string;
  qrTimer: NodeJS.Timeout | null;
  qrShown: number;
  /** Misbehaviour for health tests (issue 16): no webhooks at all while connected ("deaf"). */
  silent: boolean;
  /** How `/session/status` answers for this session; null: truthfully. */
  statusFault: StatusFault | null;
}

/**
 * A `/session/status` that misleads (issue 16): `garbage` answers 200 with a body that is no status;
 * `disconnected` reports not connected and not logged in whatever the client does; `slow` answers
 * truthfully after `delayMs`.
 */
export interface StatusFault {
  mode: 'garbage' | 'disconnected' | 'slow';
  delayMs?: number;
}

export interface SimUser {
  row: UserRow;
  /** Set by DELETE /admin/users/{id}: the row is gone but a cached token still authenticates (§2). */
  rowDeleted: boolean;
  cache: CacheEntry | null;
  session: Session;
}

/** What `listUsers()` returns: a flat, read-only view for assertions. */
export interface UserView {
  id: string;
  name: string;
  token: string;
  webhook: string;
  events: string;
  connected: boolean;
  loggedIn: boolean;
  jid: string;
  hmacKeySet: boolean;
  hmacKeyActive: boolean;
  rowDeleted: boolean;
  qrPairing: string;
}

export interface PairOptions {
  phone?: string;
  jid?: string;
  pushName?: string;
}
