import { decodeGo } from './go-json.js';
import { messageId, respond, respondError } from './http-util.js';
import * as events from './events.js';
import { isDecodableImage, mediaSpecs } from './send-specs.js';
import type { SendSpec } from './send-specs.js';
import { requestedId, textSpecs } from './text-specs.js';
import type { Route, SimCore, UserContext } from './router.js';
import type { SimUser } from './types.js';

/**
 * whatsmeow's ErrNotLoggedIn text. A client that exists but has not paired (QR pending) fails at the
 * first step that needs the device JID: the upload for media, the send for everything else.
 */
const NOT_LOGGED_IN = "the store doesn't contain a device JID";

/** POST /chat/send/* (and /chat/react, /chat/delete) with the checks of each provider handler. */
export function sendRoutes(core: SimCore): Route[] {
  function handler(spec: SendSpec) {
    return ({ req, res, body, user }: UserContext): void => {
      const client = user.session.client;
      if (!client) return respondError(res, 500, 'no session');
      const input = decodeGo(body, spec.schema);
      if (!input) return respondError(res, 400, spec.decodeError);
      const invalid = spec.validate(input);
      if (invalid) return respondError(res, 400, invalid);
      const media = spec.media?.(input);
      if (media && !media.ok) {
        // A Go handler panic: net/http recovers it and closes the connection without a response.
        if ('panic' in media) return void req.socket.destroy();
        return respondError(res, media.status, media.error);
      }
      if (!client.loggedIn) return respondError(res, 500, `${spec.failPrefix}${NOT_LOGGED_IN}`);
      if (media?.ok && media.checkImage && !isDecodableImage(media.data)) {
        return respondError(res, 500, 'could not decode image for thumbnail preparation: image: unknown format');
      }
      const id = requestedId(spec, input) || messageId();
      const at = new Date();
      const recipient = spec.recipient(input);
      const message = spec.message(input, media?.ok ? media : undefined);
      record(user, spec, recipient, id, at, spec.historyText(input));
      respond(res, 200, spec.response(id, at));
      if (spec.sentType) {
        const sentType = spec.sentType;
        setImmediate(() => core.dispatcher.emit(user, events.messageSent(id, at, recipient, message, sentType), client.token));
      }
    };
  }

  /** saveOutgoingMessageToHistory: only when the session keeps history (history > 0). */
  function record(user: SimUser, spec: SendSpec, chat: string, id: string, at: Date, text: string): void {
    const limit = Number(user.cache?.history ?? user.row.history);
    if (!spec.historyType || !(limit > 0)) return;
    const history = core.store.history;
    history.push({
      id: history.length + 1,
      user_id: user.row.id,
      chat_jid: chat,
      sender_jid: 'me',
      message_id: id,
      timestamp: at.toISOString(),
      message_type: spec.historyType,
      text_content: text,
      media_link: '',
      quoted_message_id: '',
      datajson: '',
    });
  }

  return [...mediaSpecs, ...textSpecs].map((spec) => ({
    method: ['POST'],
    path: spec.path,
    auth: 'user' as const,
    handler: handler(spec),
  }));
}
