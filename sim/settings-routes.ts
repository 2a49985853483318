import { s3View } from './admin-routes.js';
import { bool, decodeGo, num, str } from './go-json.js';
import { respond, respondError } from './http-util.js';
import type { Route, UserContext } from './router.js';

const S3_BODY = {
  enabled: 'bool',
  endpoint: 'string',
  region: 'string',
  bucket: 'string',
  access_key: 'string',
  secret_key: 'string',
  path_style: 'bool',
  public_url: 'string',
  media_delivery: 'string',
  retention_days: 'int',
} as const;

/** /session/history, /session/s3/*, /session/proxy: the per-session settings calls real clients make. */
export function settingsRoutes(): Route[] {
  /** SetHistory answers "no session" with 400, unlike every other handler (handlers.go SetHistory). */
  function setHistory({ res, body, user }: UserContext): void {
    if (!user.session.client) return respondError(res, 400, 'no session');
    const input = decodeGo(body, { history: 'int' });
    if (!input) return respondError(res, 400, 'could not decode payload');
    const history = num(input['history']);
    if (history < 0) return respondError(res, 400, 'history cannot be negative');
    user.row.history = history;
    if (user.cache) user.cache.history = String(history);
    respond(res, 200, { Details: 'History configured successfully', History: history });
  }

  function requestHistory({ res, user }: UserContext): void {
    const client = user.session.client;
    if (!client) return respondError(res, 500, 'no session');
    if (!client.loggedIn) return respondError(res, 500, 'Failed to request history sync.');
    respond(res, 200, { Details: 'History sync request Sent', Timestamp: Math.floor(Date.now() / 1000) });
  }

  /** snake_case body here, unlike the camelCase s3Config of /admin/users (contract §2). */
  function setS3({ res, body, user }: UserContext): void {
    const input = decodeGo(body, { ...S3_BODY });
    if (!input) return respondError(res, 400, 'could not decode payload');
    const delivery = str(input['media_delivery']);
    if (!['', 'base64', 's3', 'both'].includes(delivery)) {
      return respondError(res, 400, "media_delivery must be 'base64', 's3', or 'both'");
    }
    user.row.s3 = {
      enabled: bool(input['enabled']),
      endpoint: str(input['endpoint']),
      region: str(input['region']),
      bucket: str(input['bucket']),
      accessKey: str(input['access_key']),
      secretKey: str(input['secret_key']),
      pathStyle: bool(input['path_style']),
      publicURL: str(input['public_url']),
      mediaDelivery: delivery || 'base64',
      retentionDays: num(input['retention_days']),
    };
    respond(res, 200, { Details: 'S3 configuration saved successfully', Enabled: user.row.s3.enabled });
  }

  function getS3({ res, user }: UserContext): void {
    respond(res, 200, s3View(user.row.s3));
  }

  function deleteS3({ res, user }: UserContext): void {
    user.row.s3 = {
      enabled: false,
      endpoint: '',
      region: '',
      bucket: '',
      accessKey: '',
      secretKey: '',
      pathStyle: true,
      publicURL: '',
      mediaDelivery: 'base64',
      retentionDays: 30,
    };
    respond(res, 200, { Details: 'S3 configuration deleted successfully' });
  }

  function testS3({ res, user }: UserContext): void {
    const s3 = user.row.s3;
    if (!s3.enabled) return respondError(res, 400, 'S3 is not enabled for this user');
    respond(res, 200, { Details: 'S3 connection test successful', Bucket: s3.bucket, Region: s3.region });
  }

  function setProxy({ res, body, user }: UserContext): void {
    if (user.session.client?.connected) {
      return respondError(res, 400, 'cannot set proxy while connected. Please disconnect first');
    }
    const input = decodeGo(body, { proxy_url: 'string', enable: 'bool' });
    if (!input) return respondError(res, 400, 'could not decode payload');
    const proxyUrl = str(input['proxy_url']);
    if (!bool(input['enable'])) return saveProxy(user, '', res, { Details: 'Proxy disabled successfully' });
    if (!proxyUrl) return respondError(res, 400, 'missing proxy_url in payload');
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(proxyUrl)?.[1]?.toLowerCase();
    if (scheme !== 'http' && scheme !== 'socks5') return respondError(res, 400, 'only HTTP and SOCKS5 proxies are supported');
    saveProxy(user, proxyUrl, res, { Details: 'Proxy configured successfully', ProxyURL: proxyUrl });
  }

  function saveProxy(user: UserContext['user'], url: string, res: UserContext['res'], data: Record<string, unknown>): void {
    user.row.proxyUrl = url;
    if (user.cache) user.cache.proxy = url;
    respond(res, 200, data);
  }

  return [
    { method: ['POST'], path: '/session/history', auth: 'user', handler: setHistory },
    { method: ['GET'], path: '/session/history', auth: 'user', handler: requestHistory },
    { method: ['POST'], path: '/session/s3/config', auth: 'user', handler: setS3 },
    { method: ['GET'], path: '/session/s3/config', auth: 'user', handler: getS3 },
    { method: ['DELETE'], path: '/session/s3/config', auth: 'user', handler: deleteS3 },
    { method: ['POST'], path: '/session/s3/test', auth: 'user', handler: testS3 },
    { method: ['POST'], path: '/session/proxy', auth: 'user', handler: setProxy },
  ];
}
