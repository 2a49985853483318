import type { ServerResponse } from 'node:http';
import { bool, decodeGo, num, obj, str } from './go-json.js';
import type { Decoded, GoSchema } from './go-json.js';
import { randomId, respond, respondJson } from './http-util.js';
import { SUPPORTED_EVENT_TYPES, emptyS3 } from './state.js';
import type { Route, RouteContext, SimCore } from './router.js';
import type { S3Config, SimUser } from './types.js';

const S3_SCHEMA: GoSchema = {
  Enabled: 'bool',
  Endpoint: 'string',
  Region: 'string',
  Bucket: 'string',
  AccessKey: 'string',
  SecretKey: 'string',
  PathStyle: 'bool',
  PublicURL: 'string',
  MediaDelivery: 'string',
  RetentionDays: 'int',
};

/** json tags of the AddUser/EditUser structs; S3Config has none, so its Go field names match (§2). */
const EDIT_SCHEMA: GoSchema = {
  name: 'string',
  token: 'string',
  webhook: 'string',
  expiration: 'int',
  events: 'string',
  proxyConfig: { enabled: 'bool', proxyURL: 'string' },
  s3Config: S3_SCHEMA,
  history: 'int',
};
const CREATE_SCHEMA: GoSchema = { ...EDIT_SCHEMA, hmacKey: 'string' };

function fail(res: ServerResponse, status: number, error: string, details?: string): void {
  respondJson(res, status, { code: status, error, success: false, ...(details ? { details } : {}) });
}

/** Each trimmed non-empty item must be a supported type; the first bad one is named (handlers.go:4910-4926). */
function invalidEvent(events: string): string | null {
  for (const item of events.split(',').map((e) => e.trim())) {
    if (item && !SUPPORTED_EVENT_TYPES.includes(item)) return item;
  }
  return null;
}

function toS3(input: Decoded | undefined): S3Config {
  if (!input) return emptyS3();
  return {
    enabled: bool(input['Enabled']),
    endpoint: str(input['Endpoint']),
    region: str(input['Region']),
    bucket: str(input['Bucket']),
    accessKey: str(input['AccessKey']),
    secretKey: str(input['SecretKey']),
    pathStyle: bool(input['PathStyle']),
    publicURL: str(input['PublicURL']),
    mediaDelivery: str(input['MediaDelivery']),
    retentionDays: num(input['RetentionDays']),
  };
}

export function s3View(s3: S3Config): Record<string, unknown> {
  return {
    enabled: s3.enabled,
    endpoint: s3.endpoint,
    region: s3.region,
    bucket: s3.bucket,
    access_key: '***',
    path_style: s3.pathStyle,
    public_url: s3.publicURL,
    media_delivery: s3.mediaDelivery,
    retention_days: s3.retentionDays,
  };
}

function userListItem(user: SimUser): Record<string, unknown> {
  const { row, session } = user;
  return {
    id: row.id,
    name: row.name,
    token: row.token,
    webhook: row.webhook,
    jid: row.jid,
    qrcode: row.qrcode,
    connected: session.client?.connected ?? false,
    loggedIn: session.client?.loggedIn ?? false,
    expiration: row.expiration,
    proxy_url: row.proxyUrl,
    events: row.events,
    proxy_config: { enabled: row.proxyUrl !== '', proxy_url: row.proxyUrl },
    s3_config: s3View(row.s3),
  };
}

export function adminRoutes(core: SimCore): Route[] {
  const { store } = core;

  function create({ res, body }: RouteContext): void {
    const input = decodeGo(body, CREATE_SCHEMA);
    if (!input) return fail(res, 400, 'invalid request payload');
    const hmacKey = str(input['hmacKey']);
    if (hmacKey && Buffer.byteLength(hmacKey) < 32) return fail(res, 400, 'HMAC key must be at least 32 characters long');
    const token = str(input['token']);
    if (store.rows().some((u) => u.row.token === token)) return fail(res, 409, 'user with this token already exists');
    const events = str(input['events']);
    const bad = invalidEvent(events);
    if (bad !== null) return fail(res, 400, 'invalid event type', `invalid event: ${bad}`);
    const proxy = obj(input['proxyConfig']);
    const s3 = toS3(input['s3Config'] as Decoded | undefined);
    const row = {
      id: randomId(),
      name: str(input['name']),
      token,
      webhook: str(input['webhook']),
      expiration: num(input['expiration']),
      events,
      history: num(input['history']),
      proxyUrl: str(proxy['proxyURL']),
      s3,
      hmacKey: hmacKey || null,
      jid: '',
      qrcode: '',
    };
    store.insert(row);
    const data = {
      id: row.id,
      name: row.name,
      token: row.token,
      webhook: row.webhook,
      expiration: row.expiration,
      events: row.events,
      proxy_config: { enabled: bool(proxy['enabled']), proxy_url: row.proxyUrl },
      s3_config: s3View(s3),
      hmac_key: hmacKey !== '',
    };
    respondJson(res, 201, { code: 201, data, success: true });
  }

  /** Both list routes answer an array, and an unknown id is `[]` with 200, not 404 (§2). */
  function list({ res, params }: RouteContext): void {
    const rows = store.rows().filter((u) => params['id'] === undefined || u.row.id === params['id']);
    respond(res, 200, rows.map(userListItem));
  }

  function edit({ res, body, params }: RouteContext): void {
    const input = decodeGo(body, EDIT_SCHEMA);
    if (!input) return fail(res, 400, 'invalid request payload');
    const user = store.rows().find((u) => u.row.id === params['id']);
    if (!user) return fail(res, 404, 'user not found');
    const bad = invalidEvent(str(input['events']));
    if (bad !== null) return fail(res, 400, 'invalid event type', `invalid event: ${bad}`);
    if (!applyEdit(user, input)) return fail(res, 400, 'no fields to update');
    respondJson(res, 200, { code: 200, message: 'user updated successfully', success: true });
  }

  /** Only non-empty/non-zero values apply, so webhook, events, history cannot be cleared here (§2). */
  function applyEdit(user: SimUser, input: Decoded): boolean {
    const { row } = user;
    const set = <K extends 'name' | 'webhook' | 'events'>(key: K, value: string): void => {
      if (value) row[key] = value;
    };
    const oldToken = row.token;
    set('name', str(input['name']));
    set('webhook', str(input['webhook']));
    set('events', str(input['events']));
    if (str(input['token'])) row.token = str(input['token']);
    if (num(input['expiration'])) row.expiration = num(input['expiration']);
    if (num(input['history'])) row.history = num(input['history']);
    const proxy = input['proxyConfig'] as Decoded | undefined;
    if (proxy) row.proxyUrl = bool(proxy['enabled']) ? str(proxy['proxyURL']) : '';
    if (input['s3Config']) row.s3 = toS3(input['s3Config'] as Decoded);
    const changed = Object.keys(input).some((k) => k === 'proxyConfig' || k === 's3Config' || Boolean(input[k]));
    if (changed) patchCache(user, input, oldToken);
    return changed;
  }

  /** The cached entry is patched only if one exists; a new token re-keys it (handlers.go:5188-5222). */
  function patchCache(user: SimUser, input: Decoded, oldToken: string): void {
    const cache = user.cache;
    if (!cache) return;
    if (str(input['name'])) cache.name = user.row.name;
    if (str(input['webhook'])) cache.webhook = user.row.webhook;
    if (str(input['events'])) cache.events = user.row.events;
    if (num(input['history'])) cache.history = String(user.row.history);
    if (input['proxyConfig']) cache.proxy = user.row.proxyUrl;
    if (str(input['token']) && store.tokenCache.get(oldToken) === user) {
      store.tokenCache.delete(oldToken);
      cache.token = user.row.token;
      store.tokenCache.set(user.row.token, user);
    }
  }

  /** Deletes the row only: the client keeps running and a cached token keeps authenticating (§2). */
  function remove({ res, params }: RouteContext): void {
    const id = params['id'] ?? '';
    const user = store.rows().find((u) => u.row.id === id);
    if (!user) return fail(res, 404, 'user not found', `No user found with ID: ${id}`);
    user.rowDeleted = true;
    respondJson(res, 200, { code: 200, data: { id }, details: 'user deleted successfully', success: true });
  }

  function removeFull({ res, params }: RouteContext): void {
    const id = params['id'] ?? '';
    const user = store.rows().find((u) => u.row.id === id);
    if (!user) return fail(res, 404, 'user not found', `No user found with ID: ${id}`);
    if (user.session.client?.connected) user.session.devicePaired = false;
    core.qr.stop(user);
    user.session.client = null;
    store.remove(user);
    const data = { id, name: user.row.name, jid: user.row.jid };
    respondJson(res, 200, { code: 200, data, details: 'user instance removed completely', success: true });
  }

  return [
    { method: ['GET'], path: '/admin/users', auth: 'admin', handler: list },
    { method: ['GET'], path: '/admin/users/{id}', auth: 'admin', handler: list },
    { method: ['POST'], path: '/admin/users', auth: 'admin', handler: create },
    { method: ['PUT'], path: '/admin/users/{id}', auth: 'admin', handler: edit },
    { method: ['DELETE'], path: '/admin/users/{id}', auth: 'admin', handler: remove },
    { method: ['DELETE'], path: '/admin/users/{id}/full', auth: 'admin', handler: removeFull },
  ];
}
