import { randomBytes } from 'node:crypto';
import { parseJid } from './go-json.js';
import { messageId } from './http-util.js';

/** The `jsonData` object of a webhook: `{type, event, …extras}` (contract §7, wmiau.go:676-1876). */
export type Postmap = Record<string, unknown> & { type: string };

export interface InboundMessage {
  /** Sender phone or JID; default a fixed Indonesian test number. */
  from?: string;
  /** Group JID when the message arrives in a group; `from` is then the participant. */
  chat?: string;
  text?: string;
  pushName?: string;
  id?: string;
  timestamp?: string;
  /** A whatsmeow protobuf message in lowerCamel JSON; overrides `text`. */
  message?: Record<string, unknown>;
  /** Extra top-level postmap fields, e.g. `base64`/`mimeType`/`fileName` for media. */
  extras?: Record<string, unknown>;
}

/**
 * A whatsmeow events.Message as json.Marshal writes it: Go field names, MessageSource flattened into
 * Info, RFC 3339 timestamps, protobuf bodies in lowerCamel (contract §7).
 */
export function inboundMessage(input: InboundMessage = {}): Postmap {
  const sender = parseJid(input.from ?? '6281234567890') ?? '6281234567890@s.whatsapp.net';
  const chat = input.chat ? (parseJid(input.chat) ?? input.chat) : sender;
  const message = input.message ?? { conversation: input.text ?? 'halo' };
  const info = {
    Chat: chat,
    Sender: sender,
    IsFromMe: false,
    IsGroup: chat.endsWith('@g.us'),
    AddressingMode: '',
    SenderAlt: '',
    RecipientAlt: '',
    BroadcastListOwner: '',
    ID: input.id ?? messageId(),
    ServerID: 0,
    Type: 'conversation' in message || 'extendedTextMessage' in message ? 'text' : 'media',
    PushName: input.pushName ?? 'Budi',
    Timestamp: input.timestamp ?? new Date().toISOString(),
    Category: '',
    Multicast: false,
    MediaType: '',
    Edit: '',
    MsgBotInfo: { EditType: '', EditTargetID: '', EditSenderTimestampMS: '0001-01-01T00:00:00Z' },
    MsgMetaInfo: { TargetID: '', TargetSender: '', DeprecatedLIDSession: null, ThreadMessageID: '', ThreadMessageSenderJID: '' },
    VerifiedName: null,
    DeviceSentMeta: null,
  };
  const event = {
    Info: info,
    Message: message,
    IsEphemeral: false,
    IsViewOnce: false,
    IsViewOnceV2: false,
    IsViewOnceV2Extension: false,
    IsDocumentWithCaption: false,
    IsLottieSticker: false,
    IsBotInvoke: false,
    IsEdit: false,
    SourceWebMsg: null,
    UnavailableRequestID: '',
    RetryCount: 0,
    NewsletterMeta: null,
    RawMessage: message,
  };
  return { type: 'Message', event, ...(input.extras ?? {}) };
}

/** The genfity-only MessageSent event fired after every API send (wmiau.go:214-236). */
export function messageSent(id: string, timestamp: Date, chat: string, message: unknown, messageType: string): Postmap {
  return {
    type: 'MessageSent',
    event: {
      Info: { ID: id, Timestamp: timestamp.toISOString(), Chat: chat, IsFromMe: true, MessageType: messageType },
      Message: message,
    },
  };
}

/** events.PairSuccess: ID is the device JID (`628…:N@s.whatsapp.net`), plus LID and platform. */
export function pairSuccess(jid: string): Postmap {
  const lid = `${BigInt(`0x${randomBytes(6).toString('hex')}`)}:${jid.split(':')[1]?.split('@')[0] ?? '0'}@lid`;
  return { type: 'PairSuccess', event: { ID: jid, LID: lid, BusinessName: '', Platform: 'android' } };
}

/** events.Connected has no fields; PushNameSetting is reported under the same type (wmiau.go:693-695). */
export function connected(): Postmap {
  return { type: 'Connected', event: {} };
}

/** For QR the `event` is the literal string "code" and the image rides in `qrCodeBase64` (§7). */
export function qrCode(dataUrl: string): Postmap {
  return { event: 'code', qrCodeBase64: dataUrl, type: 'QR' };
}

export function qrTimeout(): Postmap {
  return { event: 'timeout', type: 'QRTimeout' };
}
