import type { ProviderEvent } from './webhook-payload.js';

const TYPE = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * The usage type of a provider event when it is a message someone sent to the session (SPEC §10:
 * received messages): a `Message` that is not the session's own and not a status broadcast, typed by
 * genfity-wa's `Info.Type` (`text`, `media`, …; contract §7). Null for every other event.
 */
export function receivedMessageType(event: Pick<ProviderEvent, 'type' | 'event'>): string | null {
  if (event.type !== 'Message') return null;
  const info = (event.event as { Info?: Record<string, unknown> } | null)?.Info;
  if (!info || info.IsFromMe === true || info.Chat === 'status@broadcast') return null;
  const type = typeof info.Type === 'string' ? info.Type.toLowerCase() : '';
  return TYPE.test(type) ? type : 'other';
}
