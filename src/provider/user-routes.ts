/**
 * The provider's user routes a customer may reach through the gateway: an allow-list, so admin
 * routes, the static dashboard and anything unknown never reach genfity-wa (SPEC §4; provider
 * routes from provider-contract §4–§8 and the genfity-wa Postman collection in real-clients.md).
 */
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * A body field holding an address that genfity-wa itself then connects to: a webhook it posts events
 * to (any JSON key equal to `name` ignoring case, as Go decodes), or a proxy or S3 endpoint it dials.
 */
export interface ProviderUrlField {
  name: string;
  kind: 'webhook' | 'endpoint';
}

export interface UserRoute {
  methods: readonly Method[];
  /** Session lifecycle call: serialised, the provider crashes on concurrent ones (contract §8). */
  lifecycle?: boolean;
  /** Counts against the message quota and the send statistics (SPEC §4). */
  send?: string;
  /** Uploads or downloads media, or waits on WhatsApp: gets the long timeout. */
  slow?: boolean;
  /** Fields of the body that make the provider connect somewhere (issue 11 item 6). */
  urls?: readonly ProviderUrlField[];
}

// POST /webhook reads `webhookurl`, PUT reads `webhook` (contract §8); both are checked on both, since
// a field the provider ignores today costs nothing to refuse.
const WEBHOOK_URLS: readonly ProviderUrlField[] = [
  { name: 'webhookurl', kind: 'webhook' },
  { name: 'webhook', kind: 'webhook' },
];

const post = (extra: Omit<UserRoute, 'methods'> = {}): UserRoute => ({ methods: ['POST'], ...extra });
const get: UserRoute = { methods: ['GET'] };

const SEND_TYPES = [
  'text',
  'edit',
  'image',
  'audio',
  'document',
  'video',
  'sticker',
  'location',
  'contact',
  'template',
  'buttons',
  'list',
  'poll',
];
const MEDIA = new Set(['image', 'audio', 'document', 'video', 'sticker']);

const ROUTES: Record<string, UserRoute> = {
  '/session/connect': post({ lifecycle: true, slow: true }),
  '/session/disconnect': post({ lifecycle: true }),
  '/session/logout': post({ lifecycle: true }),
  '/session/pairphone': post({ slow: true }),
  '/session/status': get,
  '/session/qr': get,
  '/session/proxy': post({ urls: [{ name: 'proxy_url', kind: 'endpoint' }] }),
  '/session/history': { methods: ['GET', 'POST'] },
  '/session/s3/config': { methods: ['GET', 'POST', 'DELETE'], urls: [{ name: 'endpoint', kind: 'endpoint' }] },
  '/session/s3/test': post({ slow: true }),
  '/session/hmac/config': { methods: ['GET', 'POST', 'DELETE'] },
  '/webhook': { methods: ['GET', 'POST', 'PUT', 'DELETE'], urls: WEBHOOK_URLS },
  '/webhook/events': get,
  ...Object.fromEntries(SEND_TYPES.map((t) => [`/chat/send/${t}`, post({ send: t, slow: MEDIA.has(t) })])),
  ...Object.fromEntries(
    ['markread', 'react', 'presence', 'delete', 'archive', 'request-unavailable-message'].map((a) => [`/chat/${a}`, post()]),
  ),
  ...Object.fromEntries(['image', 'audio', 'document', 'video', 'sticker'].map((m) => [`/chat/download${m}`, post({ slow: true })])),
  '/chat/history': get,
  '/status/set/text': post(),
  '/call/reject': post(),
  '/user/check': post(),
  '/user/info': post(),
  '/user/presence': post(),
  '/user/avatar': post(),
  '/user/contacts': get,
  ...Object.fromEntries(
    [
      'create',
      'locked',
      'ephemeral',
      'photo/remove',
      'leave',
      'name',
      'photo',
      'topic',
      'announce',
      'join',
      'inviteinfo',
      'updateparticipants',
    ].map((a) => [`/group/${a}`, post({ slow: a === 'photo' })]),
  ),
  '/group/list': get,
  '/group/info': get,
  '/group/invitelink': get,
  '/newsletter/list': get,
};

export type RouteMatch =
  | { kind: 'route'; route: UserRoute }
  | { kind: 'admin' }
  | { kind: 'unknown' }
  | { kind: 'method'; allowed: readonly Method[] };

/** Decides on a normalised path; `/user/lid/{jid}` is the one user route with a path parameter. */
export function matchUserRoute(method: string, path: string, segments: string[]): RouteMatch {
  if (segments[0]?.toLowerCase() === 'admin') return { kind: 'admin' };
  const route = ROUTES[path] ?? (segments.length === 3 && path.startsWith('/user/lid/') ? get : undefined);
  if (!route) return { kind: 'unknown' };
  const wanted = method === 'HEAD' ? 'GET' : method;
  if (!route.methods.includes(wanted as Method)) return { kind: 'method', allowed: route.methods };
  return { kind: 'route', route };
}

/**
 * `GET /chat/history?chat_jid=index` lists every tenant's chats: the provider's query has no user
 * filter (contract §8). Refused whatever the case or encoding of the value; `query` as received, or parsed.
 */
export function isCrossTenantQuery(path: string, query: string | URLSearchParams): boolean {
  // The query is parsed for this one route only: a send pays nothing for the check.
  if (path !== '/chat/history') return false;
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  return params.getAll('chat_jid').some((v) => v.trim().toLowerCase() === 'index');
}
