import { randomInt } from 'node:crypto';
import * as events from './events.js';
import type { InboundMessage, Postmap } from './events.js';
import { emptyS3, toView } from './state.js';
import type { SimCore } from './router.js';
import type { ContactInfo, ExistingUser, PairOptions, SimUser, StatusFault, UserView } from './types.js';

/** What a real phone or contact would do to a session: the simulator's control actions. */
export function createActions(core: SimCore) {
  function session(sessionId: string): SimUser {
    const user = core.store.users.get(sessionId);
    if (!user) throw new SessionNotFoundError(sessionId);
    return user;
  }

  /** The token events are routed by: the running client's, which can be stale after a token change. */
  function clientToken(user: SimUser): string {
    return user.session.client?.token ?? user.cache?.token ?? user.row.token;
  }

  /**
   * A QR scan or linking-code confirmation: the device is paired, the client logs in, the JID (with its
   * device suffix) lands in the row and the cache, then PairSuccess and Connected are emitted (§7).
   */
  function pair(sessionId: string, options: PairOptions = {}): UserView {
    const user = session(sessionId);
    const phone = options.phone?.replace(/\D/g, '') || options.jid?.split(/[:@]/)[0] || `62812${randomInt(1e6, 1e7)}`;
    const jid = options.jid ?? `${phone}:${randomInt(1, 60)}@s.whatsapp.net`;
    const token = clientToken(user);
    core.qr.stop(user);
    core.qr.setQr(user, '');
    user.session.qrPairing = '';
    user.session.devicePaired = true;
    user.session.client = { connected: true, loggedIn: true, token, pushName: options.pushName ?? '' };
    user.row.jid = jid;
    if (user.cache) user.cache.jid = jid;
    core.dispatcher.emit(user, events.pairSuccess(jid), token);
    core.dispatcher.emit(user, events.connected(), token);
    return toView(user);
  }

  /** An inbound message: webhook, push name into the contact store, history row when enabled. */
  function injectMessage(sessionId: string, input: InboundMessage = {}): Postmap {
    const user = session(sessionId);
    const postmap = events.inboundMessage(input);
    const info = (postmap['event'] as { Info: Record<string, string> }).Info;
    const sender = info['Sender'] ?? '';
    const known = user.session.contacts[sender];
    user.session.contacts[sender] = { ...contact({}), ...known, Found: true, PushName: info['PushName'] ?? '' };
    recordInbound(user, postmap, info);
    core.dispatcher.emit(user, postmap, clientToken(user));
    return postmap;
  }

  function recordInbound(user: SimUser, postmap: Postmap, info: Record<string, string>): void {
    const limit = Number(user.cache?.history ?? user.row.history);
    if (!(limit > 0)) return;
    const message = (postmap['event'] as { Message: Record<string, unknown> }).Message;
    const text = typeof message['conversation'] === 'string' ? message['conversation'] : '';
    const history = core.store.history;
    history.push({
      id: history.length + 1,
      user_id: user.row.id,
      chat_jid: info['Chat'] ?? '',
      sender_jid: info['Sender'] ?? '',
      message_id: info['ID'] ?? '',
      timestamp: info['Timestamp'] ?? new Date().toISOString(),
      message_type: 'text',
      text_content: text,
      media_link: '',
      quoted_message_id: '',
      datajson: JSON.stringify(postmap['event']),
    });
  }

  /** Any event, passed through the same subscription filter and webhook path as real ones. */
  function injectEvent(sessionId: string, type: string, event: unknown, extras: Record<string, unknown> = {}): Postmap {
    const user = session(sessionId);
    const postmap: Postmap = { ...extras, type, event };
    core.dispatcher.emit(user, postmap, clientToken(user));
    return postmap;
  }

  function setContacts(sessionId: string, contacts: Record<string, Partial<ContactInfo>>): void {
    const user = session(sessionId);
    user.session.contacts = Object.fromEntries(Object.entries(contacts).map(([jid, info]) => [jid, contact(info)]));
  }

  async function rotateQr(sessionId: string): Promise<void> {
    await core.qr.rotate(session(sessionId));
  }

  /**
   * A user the provider already has, with the id and token it was given long ago: the provider side of
   * an installation the gateway adopts (a Go service's sessions, provisioned before the relay existed).
   */
  function addUser(input: ExistingUser): UserView {
    if (core.store.users.has(input.id)) throw new Error(`user ${input.id} exists`);
    const user = core.store.insert({
      id: input.id,
      name: input.name ?? '',
      token: input.token,
      webhook: input.webhook ?? '',
      expiration: 0,
      events: input.events ?? '',
      history: 0,
      proxyUrl: '',
      s3: emptyS3(),
      hmacKey: input.hmacKey ?? null,
      jid: '',
      qrcode: '',
    });
    // A key signs only from the token cache (§7): the running provider authenticated the token long ago.
    if (input.hmacKey && core.store.authenticate(input.token) === user) user.cache!.hmacKey = input.hmacKey;
    return toView(user);
  }

  /** A session that stays connected while its webhooks stop (issue 16: "silent"), or speaks again. */
  function setSilent(sessionId: string, silent: boolean): void {
    session(sessionId).session.silent = silent;
  }

  /** How `/session/status` answers for the session (issue 16); null answers truthfully again. */
  function setStatusFault(sessionId: string, fault: StatusFault | null): void {
    session(sessionId).session.statusFault = fault;
  }

  /**
   * The connection to WhatsApp is lost (the phone's network, a ban, a crash): the client is gone, the
   * device stays paired, and — with `notify: false` — no Disconnected webhook says so. A connect logs
   * straight back in.
   */
  function drop(sessionId: string, notify = false): UserView {
    const user = session(sessionId);
    const token = clientToken(user);
    core.qr.stop(user);
    user.session.client = null;
    if (notify) core.dispatcher.emit(user, { type: 'Disconnected', event: {} }, token);
    return toView(user);
  }

  return { pair, injectMessage, injectEvent, setContacts, rotateQr, addUser, setSilent, setStatusFault, drop };
}

export class SessionNotFoundError extends Error {
  constructor(sessionId: string) {
    super(`unknown session: ${sessionId}`);
    this.name = 'SessionNotFoundError';
  }
}

/** whatsmeow ContactInfo with its zero values; `Found` defaults to true for a stored contact. */
function contact(info: Partial<ContactInfo>): ContactInfo {
  return {
    Found: info.Found ?? true,
    FirstName: info.FirstName ?? '',
    FullName: info.FullName ?? '',
    PushName: info.PushName ?? '',
    BusinessName: info.BusinessName ?? '',
    RedactedPhone: info.RedactedPhone ?? '',
  };
}
