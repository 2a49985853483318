import type { CacheEntry, HistoryMessage, S3Config, Session, SimUser, UserRow, UserView } from './types.js';

/** activeEventTypes of constants.go: what the delivery-time filter keeps (contract §7). */
export const ACTIVE_EVENT_TYPES = [
  'Message',
  'MessageSent',
  'Receipt',
  'Connected',
  'Disconnected',
  'ConnectFailure',
  'LoggedOut',
  'StreamReplaced',
  'PairSuccess',
  'QR',
  'PushNameSetting',
  'AppState',
  'AppStateSyncComplete',
  'HistorySync',
  'CallOffer',
  'CallAccept',
  'CallTerminate',
  'CallOfferNotice',
  'CallRelayLatency',
  'Presence',
  'ChatPresence',
  'All',
];

/** supportedEventTypes of constants.go: what create, connect and the webhook routes accept. */
export const SUPPORTED_EVENT_TYPES = [
  'Message',
  'MessageSent',
  'UndecryptableMessage',
  'Receipt',
  'MediaRetry',
  'ReadReceipt',
  'GroupInfo',
  'JoinedGroup',
  'Picture',
  'BlocklistChange',
  'Blocklist',
  'Connected',
  'Disconnected',
  'ConnectFailure',
  'KeepAliveRestored',
  'KeepAliveTimeout',
  'LoggedOut',
  'ClientOutdated',
  'TemporaryBan',
  'StreamError',
  'StreamReplaced',
  'PairSuccess',
  'PairError',
  'QR',
  'QRScannedWithoutMultidevice',
  'PrivacySettings',
  'PushNameSetting',
  'UserAbout',
  'AppState',
  'AppStateSyncComplete',
  'HistorySync',
  'OfflineSyncCompleted',
  'OfflineSyncPreview',
  'CallOffer',
  'CallAccept',
  'CallTerminate',
  'CallOfferNotice',
  'CallRelayLatency',
  'Presence',
  'ChatPresence',
  'IdentityChange',
  'CATRefreshError',
  'NewsletterJoin',
  'NewsletterLeave',
  'NewsletterMuteChange',
  'NewsletterLiveUpdate',
  'FBMessage',
  'All',
];

/** notImplementedEventTypes of constants.go, listed by GET /webhook/events. */
export const NOT_IMPLEMENTED_EVENT_TYPES = [
  'UndecryptableMessage',
  'MediaRetry',
  'ReadReceipt',
  'GroupInfo',
  'JoinedGroup',
  'Picture',
  'BlocklistChange',
  'Blocklist',
  'KeepAliveRestored',
  'KeepAliveTimeout',
  'ClientOutdated',
  'TemporaryBan',
  'StreamError',
  'PairError',
  'QRScannedWithoutMultidevice',
  'PrivacySettings',
  'UserAbout',
  'OfflineSyncCompleted',
  'OfflineSyncPreview',
  'IdentityChange',
  'CATRefreshError',
  'NewsletterJoin',
  'NewsletterLeave',
  'NewsletterMuteChange',
  'NewsletterLiveUpdate',
  'FBMessage',
];

export function emptyS3(): S3Config {
  return {
    enabled: false,
    endpoint: '',
    region: '',
    bucket: '',
    accessKey: '',
    secretKey: '',
    pathStyle: false,
    publicURL: '',
    mediaDelivery: '',
    retentionDays: 0,
  };
}

function newSession(): Session {
  return {
    client: null,
    devicePaired: false,
    contacts: {},
    qrPairing: '',
    qrTimer: null,
    qrShown: 0,
    silent: false,
    statusFault: null,
  };
}

/** The provider's `users` table plus the token cache and the running clients, in insertion order. */
export function createStore() {
  const users = new Map<string, SimUser>();
  const tokenCache = new Map<string, SimUser>();
  const history: HistoryMessage[] = [];

  function insert(row: UserRow): SimUser {
    const user: SimUser = { row, rowDeleted: false, cache: null, session: newSession() };
    users.set(row.id, user);
    return user;
  }

  /** The DB rows, i.e. what /admin sees: deleted rows are gone even if their token is still cached. */
  function rows(): SimUser[] {
    return [...users.values()].filter((u) => !u.rowDeleted);
  }

  /** authalice: a cache hit wins; a miss queries the row by exact token and fills the cache (§1). */
  function authenticate(token: string): SimUser | null {
    const cached = tokenCache.get(token);
    if (cached) return cached;
    const user = rows().find((u) => u.row.token === token);
    if (!user) return null;
    user.cache = cacheFromRow(user.row, user.cache?.hmacKey ?? null);
    tokenCache.set(token, user);
    return user;
  }

  function evict(user: SimUser): void {
    for (const [token, cached] of tokenCache) if (cached === user) tokenCache.delete(token);
    user.cache = null;
  }

  function remove(user: SimUser): void {
    evict(user);
    users.delete(user.row.id);
  }

  return { users, tokenCache, history, insert, rows, authenticate, evict, remove };
}

export type UserStore = ReturnType<typeof createStore>;

function cacheFromRow(row: UserRow, hmacKey: string | null): CacheEntry {
  return {
    name: row.name,
    jid: row.jid,
    webhook: row.webhook,
    token: row.token,
    proxy: row.proxyUrl,
    events: row.events,
    qrcode: row.qrcode,
    history: String(row.history),
    hmacKey,
  };
}

export function toView(user: SimUser): UserView {
  const client = user.session.client;
  return {
    id: user.row.id,
    name: user.row.name,
    token: user.row.token,
    webhook: user.row.webhook,
    events: user.row.events,
    connected: client?.connected ?? false,
    loggedIn: client?.loggedIn ?? false,
    jid: user.cache?.jid || user.row.jid,
    hmacKeySet: user.row.hmacKey !== null,
    hmacKeyActive: Boolean(user.cache?.hmacKey),
    rowDeleted: user.rowDeleted,
    qrPairing: user.session.qrPairing,
  };
}

/** Filters a comma list against a type list, keeping order and dropping duplicates (handlers.go:248-256). */
export function filterEvents(names: string[], allowed: string[]): string[] {
  const out: string[] = [];
  for (const name of names) if (allowed.includes(name) && !out.includes(name)) out.push(name);
  return out;
}
