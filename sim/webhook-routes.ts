import { bool, decodeGo, str, strs } from './go-json.js';
import { respond, respondError, respondJson } from './http-util.js';
import { ACTIVE_EVENT_TYPES, NOT_IMPLEMENTED_EVENT_TYPES, SUPPORTED_EVENT_TYPES } from './state.js';
import type { Route, RouteContext, UserContext } from './router.js';
import type { SimUser } from './types.js';

function setCache(user: SimUser, webhook: string, events: string): void {
  if (!user.cache) return;
  user.cache.webhook = webhook;
  user.cache.events = events;
}

const valid = (events: string[]): string[] => events.filter((e) => SUPPORTED_EVENT_TYPES.includes(e));

/** /webhook routes and /session/hmac/config, as handlers.go writes them (contract §4, §7, §8). */
export function webhookRoutes(): Route[] {
  /** Reads the DB row, so it can disagree with what the cache-driven delivery uses. */
  function get({ res, user }: UserContext): void {
    respond(res, 200, { webhook: user.row.webhook, subscribe: user.row.events.split(',') });
  }

  /** POST takes `webhookurl`; without events the DB keeps them but the cache gets "" (handlers.go SetWebhook). */
  function set({ res, body, user }: UserContext): void {
    const input = decodeGo(body, { webhookurl: 'string', events: 'strings' });
    if (!input) return respondError(res, 400, 'could not decode payload');
    const webhook = str(input['webhookurl']);
    const given = strs(input['events']);
    const eventString = given.length > 0 ? valid(given).join(',') : '';
    user.row.webhook = webhook;
    if (given.length > 0) user.row.events = eventString;
    setCache(user, webhook, eventString);
    respond(res, 200, { webhook });
  }

  /** PUT takes `webhook` + `active`; a missing `active` is false and clears URL and events (contract §8). */
  function update({ res, body, user }: UserContext): void {
    const input = decodeGo(body, { webhook: 'string', events: 'strings', active: 'bool' });
    if (!input) return respondError(res, 400, 'could not decode payload');
    const active = bool(input['active']);
    const given = strs(input['events']);
    const validEvents = valid(given);
    const webhook = active ? str(input['webhook']) : '';
    const eventString = active ? validEvents.join(',') : '';
    user.row.webhook = webhook;
    if (given.length > 0) user.row.events = eventString;
    setCache(user, webhook, eventString);
    respond(res, 200, { webhook, events: validEvents.length > 0 ? validEvents : null, active });
  }

  function remove({ res, user }: UserContext): void {
    user.row.webhook = '';
    user.row.events = '';
    setCache(user, '', '');
    respond(res, 200, { Details: 'Webhook and events deleted successfully' });
  }

  /** Public: no token needed (routes.go:62-63). */
  function listEvents({ res, url }: RouteContext): void {
    if (url.searchParams.get('active') === 'true') {
      return respond(res, 200, { events: ACTIVE_EVENT_TYPES, status: 'active_only' });
    }
    respond(res, 200, {
      active_events: ACTIVE_EVENT_TYPES,
      all_supported_events: SUPPORTED_EVENT_TYPES,
      not_implemented_events: NOT_IMPLEMENTED_EVENT_TYPES,
    });
  }

  /**
   * The only way a session key starts signing: it is written to the token cache here, while a key given
   * at create time sits in the DB unused until a restart (contract §7). Successes are bare objects (§3).
   */
  function setHmac({ res, body, user }: UserContext): void {
    const input = decodeGo(body, { hmac_key: 'string' });
    if (!input) return respondError(res, 400, 'could not decode payload');
    const key = str(input['hmac_key']);
    if (Buffer.byteLength(key) < 32) return respondError(res, 400, 'HMAC key must be at least 32 characters long');
    user.row.hmacKey = key;
    if (user.cache) user.cache.hmacKey = key;
    respondJson(res, 200, { Details: 'HMAC configuration saved successfully' });
  }

  function getHmac({ res, user }: UserContext): void {
    respondJson(res, 200, { hmac_key: user.row.hmacKey ? '***' : '' });
  }

  function deleteHmac({ res, user }: UserContext): void {
    user.row.hmacKey = null;
    if (user.cache) user.cache.hmacKey = null;
    respondJson(res, 200, { Details: 'HMAC configuration deleted successfully' });
  }

  return [
    { method: ['GET'], path: '/webhook/events', auth: 'none', handler: listEvents },
    { method: ['GET'], path: '/webhook', auth: 'user', handler: get },
    { method: ['POST'], path: '/webhook', auth: 'user', handler: set },
    { method: ['PUT'], path: '/webhook', auth: 'user', handler: update },
    { method: ['DELETE'], path: '/webhook', auth: 'user', handler: remove },
    { method: ['POST'], path: '/session/hmac/config', auth: 'user', handler: setHmac },
    { method: ['GET'], path: '/session/hmac/config', auth: 'user', handler: getHmac },
    { method: ['DELETE'], path: '/session/hmac/config', auth: 'user', handler: deleteHmac },
  ];
}
