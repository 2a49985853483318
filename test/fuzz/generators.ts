/** A small seeded generator (mulberry32): the same seed gives the same 10,000 requests every run. */
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}
export type Random = ReturnType<typeof createRandom>;

const SEGMENTS = [
  'admin',
  'Admin',
  '%61dmin',
  'users',
  '..',
  '.',
  '',
  '%2e%2e',
  '%2f',
  'session',
  'status',
  'connect',
  'qr',
  'chat',
  'send',
  'text',
  'image',
  'history',
  'user',
  'contacts',
  'lid',
  'webhook',
  'hmac',
  'config',
  'group',
  'list',
  '%00',
  '%5c',
  '\\',
  'x'.repeat(300),
  '%252e',
  ';',
  'full',
  'sessions',
  'settings',
  'sync',
  'apikey',
  'rotate',
  'me',
  'index',
  '%E0%A4%A',
  '?',
  '#',
  '~',
  'dashboard',
];
const PREFIXES = [
  '/wa',
  '/v1/wa',
  '/v1',
  '/internal',
  '/webhook',
  '/webhook/wa',
  '/webhook/wa/s',
  '',
  '/docs',
  '/dashboard',
  '/v1/sessions',
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const;

/** A path of the gateway's route families with traversal, encodings and junk mixed in. */
export function randomPath(r: Random, ids: string[]): string {
  const parts = Array.from({ length: 1 + r.int(5) }, () => (r.next() < 0.25 ? r.pick(ids) : r.pick(SEGMENTS)));
  const query =
    r.next() < 0.3
      ? `?${r.pick(['chat_jid=index', 'sync=false', 'limit=-1', 'page=abc', 'q=%27--', 'provider=', 'chat_jid=%69ndex', 'a=%zz'])}`
      : '';
  return `${r.pick(PREFIXES)}/${parts.join('/')}${query}`;
}

export const randomMethod = (r: Random) => r.pick(METHODS);

/** Bodies: valid, malformed, wrong types, deep, huge, not JSON at all. */
export function randomBody(r: Random, ids: string[]): { payload?: string; contentType?: string } {
  switch (r.int(9)) {
    case 0:
      return {};
    case 1:
      return { payload: '{"session_name":', contentType: 'application/json' };
    case 2:
      return {
        payload: JSON.stringify({
          session_name: r.pick(ids),
          webhook_url: r.pick(['http://127.0.0.1/x', 'ftp://a', 'https://ok.example.com/h', '']),
        }),
        contentType: 'application/json',
      };
    case 3:
      return {
        payload: JSON.stringify({
          user_id: r.pick(ids),
          source: r.pick(['app', 'other', '']),
          expires_at: r.pick(['2030-01-01T00:00:00Z', 'soon', 5]),
        }),
        contentType: 'application/json',
      };
    case 4:
      return {
        payload: 'x'.repeat(r.pick([10, 70_000, 1_100_000])),
        contentType: r.pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded']),
      };
    case 5:
      return {
        payload: JSON.stringify({ Phone: '6281234567890', Body: 'hi', max_messages: -5, auto_read_enabled: 'yes' }),
        contentType: 'application/json',
      };
    case 6:
      return { payload: '['.repeat(2000), contentType: 'application/json' };
    case 7:
      return {
        payload: JSON.stringify({ status: 'inactive', max_sessions: 1e20, expires_at: '2020-01-01T00:00:00Z' }),
        contentType: 'application/json',
      };
    default:
      return { payload: 'jsonData=%7B%22type%22%3A%22Message%22%7D&userID=x', contentType: 'application/x-www-form-urlencoded' };
  }
}
