import { obj, parseJid, str } from './go-json.js';
import type { Decoded, GoSchema } from './go-json.js';
import { decodeDataUrl, isDecodableImage, isHttpUrl, refusedMediaHost, uploadedMedia } from './media.js';

export type MediaResult =
  | { ok: true; data: Buffer; mime: string; checkImage: boolean }
  | { ok: false; status: number; error: string }
  | { ok: false; panic: true };

/** One /chat/send/* handler of handlers.go, reduced to its checks, in the order the handler runs them. */
export interface SendSpec {
  path: string;
  schema: GoSchema;
  decodeError: string;
  /** First 400 message of the field checks, or null. */
  validate(input: Decoded): string | null;
  media?(input: Decoded): MediaResult;
  /** Error prefix of the step that needs a logged-in client (upload for media, else the send). */
  failPrefix: string;
  recipient(input: Decoded): string;
  message(input: Decoded, media?: { data: Buffer; mime: string }): Record<string, unknown>;
  /** MessageSent type, or null where the handler fires no webhook (edit, react, delete). */
  sentType: string | null;
  /** Outgoing history type, or null where the handler saves none. */
  historyType: string | null;
  historyText(input: Decoded): string;
  response(id: string, at: Date): Record<string, unknown>;
}

export const CONTEXT_INFO: GoSchema = { stanzaID: 'string', participant: 'string', mentionedJID: 'strings', isForwarded: 'bool' };

/** validateMessageFields of handlers.go: stanzaID and participant come together or not at all. */
function validateRecipient(phone: string, input: Decoded): string | null {
  if (parseJid(phone) === null) return 'could not parse Phone';
  const ctx = obj(input['ContextInfo']);
  const hasStanza = ctx['stanzaID'] !== undefined;
  const hasParticipant = ctx['participant'] !== undefined;
  if (hasStanza && !hasParticipant) return 'missing Participant in ContextInfo';
  if (hasParticipant && !hasStanza) return 'missing StanzaID in ContextInfo';
  return null;
}

function firstMissing(input: Decoded, fields: string[]): string | null {
  const missing = fields.find((f) => !str(input[f]));
  return missing ? `missing ${missing} in Payload` : null;
}

export function checks(fields: string[]) {
  return (input: Decoded): string | null => firstMissing(input, fields) ?? validateRecipient(str(input['Phone']), input);
}

export const sentResponse = (id: string, at: Date): Record<string, unknown> => ({
  Details: 'Sent',
  Timestamp: Math.floor(at.getTime() / 1000),
  Id: id,
});

function fromDataUrl(text: string, checkImage: boolean): MediaResult {
  const url = decodeDataUrl(text);
  if (!url) return { ok: false, status: 400, error: 'could not decode base64 encoded data from payload' };
  return { ok: true, data: url.data, mime: url.mime, checkImage };
}

/** Media given as a URL: refused for internal hosts, otherwise taken as fetched (contract §8). */
function fromUrl(text: string, kind: string, mime: string): MediaResult {
  if (refusedMediaHost(text)) {
    return { ok: false, status: 400, error: `failed to fetch ${kind} from url: destination address is not allowed` };
  }
  return { ok: true, data: Buffer.from(text), mime, checkImage: false };
}

export const base = (path: string, fields: string[], sentType: string | null) => ({
  path,
  decodeError: 'could not decode Payload',
  validate: checks(fields),
  failPrefix: 'error sending message: ',
  recipient: (input: Decoded) => parseJid(str(input['Phone'])) ?? '',
  sentType,
  historyType: sentType,
  historyText: () => '',
  response: sentResponse,
});

function mediaSpec(kind: string, field: string, accept: (text: string) => MediaResult, extra: GoSchema = {}, captioned = true): SendSpec {
  return {
    ...base(`/chat/send/${kind}`, ['Phone', field], kind),
    schema: {
      Phone: 'string',
      [field]: 'string',
      Caption: 'string',
      Id: 'string',
      MimeType: 'string',
      ContextInfo: CONTEXT_INFO,
      ...extra,
    },
    media: (input) => accept(str(input[field])),
    failPrefix: 'failed to upload file: ',
    historyText: (input) => (captioned ? str(input['Caption']) : ''),
    message: (input, media) => ({
      [`${kind}Message`]: {
        ...uploadedMedia(media?.data ?? Buffer.alloc(0), str(input['MimeType']) || (media?.mime ?? '')),
        ...(captioned ? { caption: str(input['Caption']) } : {}),
      },
    }),
  };
}

const PANIC: MediaResult = { ok: false, panic: true };

/** Image: a data:image URL or an http(s) URL; the bytes must decode for the thumbnail (handlers.go). */
const image = mediaSpec('image', 'Image', (text) => {
  if (text.length >= 10 && text.startsWith('data:image')) return fromDataUrl(text, true);
  if (isHttpUrl(text)) return fromUrl(text, 'image', 'image/jpeg');
  return { ok: false, status: 400, error: 'Image data should start with "data:image/png;base64,"' };
});

const audio = mediaSpec(
  'audio',
  'Audio',
  (text) =>
    text.startsWith('data:audio/')
      ? fromDataUrl(text, false)
      : { ok: false, status: 400, error: 'audio data should start with "data:audio/"' },
  { PTT: 'bool', Seconds: 'int' },
  false,
);

/** Document: slicing [0:29] of a shorter string panics the handler, so the connection drops (§8). */
const document = mediaSpec(
  'document',
  'Document',
  (text) => {
    if (text.length < 29) return PANIC;
    if (text.startsWith('data:application/octet-stream')) return fromDataUrl(text, false);
    return { ok: false, status: 400, error: 'document data should start with "data:application/octet-stream;base64,"' };
  },
  { FileName: 'string' },
);
document.validate = checks(['Phone', 'Document', 'FileName']);

const video = mediaSpec('video', 'Video', (text) => {
  if (text.length < 4) return PANIC;
  if (text.startsWith('data')) return fromDataUrl(text, false);
  if (isHttpUrl(text)) return fromUrl(text, 'image', 'video/mpeg');
  return { ok: false, status: 400, error: 'data should start with "data:mime/type;base64,"' };
});

const sticker = mediaSpec(
  'sticker',
  'Sticker',
  (text) => {
    if (text.length < 4) return PANIC;
    if (text.startsWith('data')) return fromDataUrl(text, false);
    return { ok: false, status: 400, error: 'Data should start with "data:mime/type;base64,"' };
  },
  {},
  false,
);
sticker.failPrefix = 'Failed to upload file: ';

export const mediaSpecs: SendSpec[] = [image, audio, document, video, sticker];
export { isDecodableImage };
