import type { SessionState } from '../api/types';
import { phoneFromJid } from '../lib/format';
import { HEALTH_WORDS } from './health-words';

/** One line of the live event log: plain text only (issue 16 §5), never markup from the provider. */
export interface LogEntry {
  key: string;
  at: Date;
  type: string;
  text: string;
  /** A QR event's image (a data URL), for the link view. */
  qr?: string;
}

let counter = 0;
const entry = (type: string, text: string, extra: Partial<LogEntry> = {}): LogEntry => {
  counter += 1;
  return { key: `${counter}`, at: new Date(), type, text: text.length > 200 ? `${text.slice(0, 199)}…` : text, ...extra };
};
const yes = (b: boolean) => (b ? 'yes' : 'no');

export function describeState(s: SessionState): LogEntry {
  const phone = phoneFromJid(s.jid);
  return entry(
    'state',
    `${HEALTH_WORDS[s.health]?.label ?? s.health} · connected: ${yes(s.connected)} · linked: ${yes(s.logged_in)}${phone ? ` · ${phone}` : ''}`,
  );
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** A provider event in a few words: who wrote what for a message, the payload's start for anything else. */
export function describeEvent(e: { type: string; data: string }): LogEntry {
  let data: Json;
  try {
    data = obj(JSON.parse(e.data));
  } catch {
    return entry(e.type, e.data);
  }
  const event = obj(data.event);
  if (e.type === 'Message') {
    const info = obj(event.Info);
    const message = obj(event.Message);
    const text =
      str(message.conversation) || str(obj(message.extendedTextMessage).text) || `[${str(info.MediaType) || str(info.Type) || 'message'}]`;
    const from = str(info.PushName) || phoneFromJid(str(info.Sender)) || 'someone';
    return entry(e.type, `${str(info.IsFromMe) === 'true' || info.IsFromMe === true ? 'me' : from}: ${text}`);
  }
  if (e.type === 'QR') return entry(e.type, 'a new QR code to scan', { qr: str(data.qrCodeBase64) });
  return entry(e.type, JSON.stringify(data.event ?? {}));
}
