import { decodeGo, parseJid, str, strs } from './go-json.js';
import { respond, respondError } from './http-util.js';
import type { Route, SimCore, UserContext } from './router.js';
import type { HistoryMessage } from './types.js';

/** Presence, mark-read, contacts, user check and chat history (contract §5, §6, §8). */
export function chatRoutes(core: SimCore): Route[] {
  /** State is not validated; any string goes to WhatsApp (contract §6). */
  function chatPresence({ res, body, user }: UserContext): void {
    const client = user.session.client;
    if (!client) return respondError(res, 500, 'no session');
    const input = decodeGo(body, { Phone: 'string', State: 'string', Media: 'string' });
    if (!input) return respondError(res, 400, 'could not decode Payload');
    if (!str(input['Phone'])) return respondError(res, 400, 'missing Phone in Payload');
    if (!str(input['State'])) return respondError(res, 400, 'missing State in Payload');
    if (parseJid(str(input['Phone'])) === null) return respondError(res, 400, 'could not parse Phone');
    if (!client.loggedIn) return respondError(res, 500, 'failure sending chat presence to Whatsapp servers');
    respond(res, 200, { Details: 'Chat presence set successfuly' });
  }

  function userPresence({ res, body, user }: UserContext): void {
    const client = user.session.client;
    if (!client) return respondError(res, 500, 'no session');
    const input = decodeGo(body, { type: 'string' });
    if (!input) return respondError(res, 400, 'could not decode Payload');
    if (!['available', 'unavailable'].includes(str(input['type']))) {
      return respondError(res, 400, "invalid presence type. Allowed values: 'available', 'unavailable'");
    }
    if (!client.loggedIn) return respondError(res, 500, 'failure sending presence to Whatsapp servers');
    respond(res, 200, { Details: 'Presence set successfuly' });
  }

  /** ChatPhone wins over the legacy Chat JID, SenderPhone over Sender (handlers.go:3689-3714). */
  function markRead({ res, body, user }: UserContext): void {
    const client = user.session.client;
    if (!client) return respondError(res, 500, 'no session');
    const input = decodeGo(body, { Id: 'strings', Chat: 'jid', Sender: 'jid', ChatPhone: 'string', SenderPhone: 'string' });
    if (!input) return respondError(res, 400, 'could not decode Payload');
    const chatPhone = str(input['ChatPhone']);
    const chat = chatPhone ? parseJid(chatPhone) : str(input['Chat']) || undefined;
    if (chat === null) return respondError(res, 400, 'could not parse ChatPhone');
    if (chat === undefined) return respondError(res, 400, 'missing ChatPhone in Payload');
    const senderPhone = str(input['SenderPhone']);
    const sender = senderPhone ? parseJid(senderPhone) : str(input['Sender']);
    if (sender === null) return respondError(res, 400, 'could not parse SenderPhone');
    if (strs(input['Id']).length < 1) return respondError(res, 400, 'missing Id in Payload');
    // whatsmeow refuses a group receipt without a sender (receipt.go:184-194).
    if (!client.loggedIn || (chat.endsWith('@g.us') && !sender)) {
      return respondError(res, 500, 'failure marking messages as read');
    }
    respond(res, 200, { Details: 'Message(s) marked as read' });
  }

  /** A map keyed by JID of whatsmeow ContactInfo with PascalCase keys, no pagination (contract §5). */
  function contacts({ res, user }: UserContext): void {
    if (!user.session.client) return respondError(res, 500, 'no session');
    respond(res, 200, user.session.contacts);
  }

  function checkUser({ res, body, user }: UserContext): void {
    const client = user.session.client;
    if (!client) return respondError(res, 500, 'no session');
    const input = decodeGo(body, { Phone: 'strings' });
    if (!input) return respondError(res, 400, 'could not decode Payload');
    const phones = strs(input['Phone']);
    if (phones.length < 1) return respondError(res, 400, 'missing Phone in Payload');
    if (!client.loggedIn) {
      return respondError(res, 500, "failed to check if users are on WhatsApp: the store doesn't contain a device JID");
    }
    const users = phones.map((query) => ({
      Query: query,
      IsInWhatsapp: true,
      JID: `${query.replace(/\D/g, '')}@s.whatsapp.net`,
      VerifiedName: '',
    }));
    respond(res, 200, { Users: users });
  }

  return [
    { method: ['POST'], path: '/chat/presence', auth: 'user', handler: chatPresence },
    { method: ['POST'], path: '/user/presence', auth: 'user', handler: userPresence },
    { method: ['POST'], path: '/chat/markread', auth: 'user', handler: markRead },
    { method: ['GET'], path: '/user/contacts', auth: 'user', handler: contacts },
    { method: ['POST'], path: '/user/check', auth: 'user', handler: checkUser },
    { method: ['GET'], path: '/chat/history', auth: 'user', handler: (ctx: UserContext) => history(core, ctx) },
  ];
}

/**
 * GET /chat/history. `chat_jid=index` answers every tenant's chat list: the query has no user filter
 * (contract §8, the cross-tenant leak a gateway must block). Kept here so gateway tests can prove it.
 */
function history(core: SimCore, { res, url, user }: UserContext): void {
  const limit = Number(user.cache?.history ?? '0') || user.row.history;
  if (!(limit > 0)) return respondError(res, 501, 'message history is disabled for this user');
  const chatJid = url.searchParams.get('chat_jid') ?? '';
  if (!chatJid) return respondError(res, 400, 'chat_jid is required');
  const all = [...core.store.history].sort((a, b) => b.timestamp.localeCompare(a.timestamp));
  if (chatJid === 'index') return respond(res, 200, chatIndex(all));
  const limitText = url.searchParams.get('limit');
  const max = limitText === null || limitText === '' ? 50 : Number(limitText);
  if (!Number.isInteger(max)) return respondError(res, 400, 'invalid limit');
  const rows = all.filter((m) => m.user_id === user.row.id && m.chat_jid === chatJid).slice(0, Math.max(max, 0));
  // A Go nil slice marshals to null, and Respond passes that through as `"data":null`.
  respond(res, 200, rows.length > 0 ? rows : null);
}

function chatIndex(all: HistoryMessage[]): Record<string, { chat_jid: string; last_updated: string }[]> {
  const out: Record<string, { chat_jid: string; last_updated: string }[]> = {};
  for (const m of all) {
    const chats = out[m.user_id] ?? [];
    out[m.user_id] = chats;
    if (!chats.some((c) => c.chat_jid === m.chat_jid)) chats.push({ chat_jid: m.chat_jid, last_updated: m.timestamp });
  }
  return out;
}
