import { randomInt } from 'node:crypto';
import { bool, decodeGo, str, strs } from './go-json.js';
import { respond, respondError, send, sleep } from './http-util.js';
import * as events from './events.js';
import { s3View } from './admin-routes.js';
import { SUPPORTED_EVENT_TYPES, filterEvents } from './state.js';
import type { Route, SimCore, UserContext } from './router.js';
import type { SimUser } from './types.js';

/** Starts a client: a paired device logs straight in, a fresh one enters the QR flow (wmiau.go startClient). */
export function startClient(core: SimCore, user: SimUser, token: string): void {
  core.qr.stop(user);
  const loggedIn = user.session.devicePaired;
  const client = { connected: true, loggedIn, token, pushName: user.session.client?.pushName ?? '' };
  user.session.client = client;
  if (loggedIn) setImmediate(() => core.dispatcher.emit(user, events.connected(), token));
  else core.qr.start(user);
}

/** Session lifecycle and status (contract §4). Errors are 500 with the provider's lower-case strings. */
export function sessionRoutes(core: SimCore): Route[] {
  async function connect({ res, body, user }: UserContext): Promise<void> {
    const input = decodeGo(body, { Subscribe: 'strings', Immediate: 'bool' });
    if (!input) return respondError(res, 400, 'could not decode Payload');
    if (user.session.client?.connected) return respondError(res, 500, 'already connected');
    const cache = user.cache;
    const { jid, webhook } = cache ?? user.row;
    // An empty or missing Subscribe stores "" and so turns every webhook off (contract §4).
    const eventString = filterEvents(strs(input['Subscribe']), SUPPORTED_EVENT_TYPES).join(',');
    user.row.events = eventString;
    if (cache) cache.events = eventString;
    startClient(core, user, cache?.token ?? user.row.token);
    if (!bool(input['Immediate'])) {
      await sleep(core.config.connectStallMs);
      if (!user.session.client) return respondError(res, 500, 'failed to connect');
      if (!user.session.client.connected) return respondError(res, 500, 'failed to Connect');
    }
    respond(res, 200, { details: 'Connected!', events: eventString, jid, webhook });
  }

  /** Clears `events` in the DB and the cache as well as dropping the client (handlers.go:313-319). */
  function disconnect({ res, user }: UserContext): void {
    const client = user.session.client;
    if (!client) return respondError(res, 500, 'no session');
    if (!client.connected) return respondError(res, 500, 'cannot disconnect because it is not logged in');
    user.row.events = '';
    if (user.cache) user.cache.events = '';
    core.qr.stop(user);
    user.session.client = null;
    respond(res, 200, { Details: 'Disconnected' });
  }

  function logout({ res, user }: UserContext): void {
    const client = user.session.client;
    if (!client) return respondError(res, 500, 'no session');
    if (!client.connected) return respondError(res, 500, 'could not disconnect as it was not connected');
    if (!client.loggedIn) return respondError(res, 500, 'could not logout as it was not logged in');
    user.session.devicePaired = false;
    user.session.client = null;
    respond(res, 200, { Details: 'Logged out' });
  }

  /** Never "no session": a missing client reports false. Most fields come from the token cache. */
  async function status({ res, user }: UserContext): Promise<void> {
    const { row, session } = user;
    const cache = user.cache;
    const fault = session.statusFault;
    if (fault?.mode === 'garbage') return void send(res, 200, 'application/json', '<html>status unavailable</html>');
    if (fault?.mode === 'slow') await sleep(fault.delayMs ?? 1_000);
    const lying = fault?.mode === 'disconnected';
    respond(res, 200, {
      id: row.id,
      name: cache?.name ?? row.name,
      connected: !lying && (session.client?.connected ?? false),
      loggedIn: !lying && (session.client?.loggedIn ?? false),
      token: cache?.token ?? row.token,
      jid: cache?.jid ?? row.jid,
      webhook: cache?.webhook ?? row.webhook,
      events: cache?.events ?? row.events,
      proxy_url: cache?.proxy ?? row.proxyUrl,
      qrcode: cache?.qrcode ?? row.qrcode,
      history: cache?.history ?? String(row.history),
      proxy_config: { enabled: row.proxyUrl !== '', proxy_url: row.proxyUrl },
      s3_config: s3View(row.s3),
      hmac_configured: row.hmacKey !== null,
    });
  }

  function qr({ res, user }: UserContext): void {
    const client = user.session.client;
    if (!client) return respondError(res, 500, 'no session');
    if (!client.connected) return respondError(res, 500, 'not connected');
    if (client.loggedIn) return respondError(res, 500, 'already logged in');
    respond(res, 200, { QRCode: user.row.qrcode });
  }

  /** whatsmeow PairPhone strips non-digits, wants more than 6 and no leading 0; errors are 400. */
  function pairPhone({ res, body, user }: UserContext): void {
    const client = user.session.client;
    if (!client) return respondError(res, 500, 'no session');
    const input = decodeGo(body, { Phone: 'string' });
    if (!input) return respondError(res, 400, 'could not decode Payload');
    const phone = str(input['Phone']);
    if (!phone) return respondError(res, 400, 'missing Phone in Payload');
    if (client.loggedIn) return respondError(res, 400, 'already paired');
    const digits = phone.replace(/\D/g, '');
    if (digits.length <= 6) return respondError(res, 400, 'phone number too short');
    if (digits.startsWith('0')) return respondError(res, 400, 'international phone number required');
    respond(res, 200, { LinkingCode: linkingCode() });
  }

  return [
    { method: ['POST'], path: '/session/connect', auth: 'user', handler: connect },
    { method: ['POST'], path: '/session/disconnect', auth: 'user', handler: disconnect },
    { method: ['POST'], path: '/session/logout', auth: 'user', handler: logout },
    { method: ['GET'], path: '/session/status', auth: 'user', handler: status },
    { method: ['GET'], path: '/session/qr', auth: 'user', handler: qr },
    { method: ['POST'], path: '/session/pairphone', auth: 'user', handler: pairPhone },
  ];
}

/** whatsmeow's linking code: 8 characters of its Crockford-like alphabet, shown as XXXX-XXXX. */
function linkingCode(): string {
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTVWXYZ';
  const chars = Array.from({ length: 8 }, () => alphabet[randomInt(alphabet.length)]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}
