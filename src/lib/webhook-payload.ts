import { createHash } from 'node:crypto';
import { stableJson } from './json.js';

/** A provider webhook post, as genfity-wa sends it in either of its formats (contract §7). */
export interface ProviderEvent {
  type: string;
  event: unknown;
  /** The provider's session id (32 hex), naming the session on the global webhook. */
  userId: string | null;
  instanceName: string | null;
  /** Everything of `jsonData` besides type and event: media, receipt state, QR image… */
  extras: Record<string, unknown>;
}

function fromObject(data: Record<string, unknown>, userId: unknown, instanceName: unknown): ProviderEvent | null {
  if (typeof data.type !== 'string' || !data.type) return null;
  const { type, event, userID: _u, instanceName: _i, ...extras } = data;
  return {
    type,
    event: event ?? null,
    extras,
    userId: typeof userId === 'string' ? userId : null,
    instanceName: typeof instanceName === 'string' ? instanceName : null,
  };
}

/**
 * Form mode (the default): `jsonData`, `userID`, `instanceName` fields. JSON mode: the jsonData
 * object with `userID` and `instanceName` merged into its top level. Anything else is null.
 */
export function parseProviderEvent(contentType: string, raw: string): ProviderEvent | null {
  try {
    if (contentType.includes('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(raw);
      const data = JSON.parse(form.get('jsonData') ?? '') as unknown;
      return data && typeof data === 'object'
        ? fromObject(data as Record<string, unknown>, form.get('userID'), form.get('instanceName'))
        : null;
    }
    const data = JSON.parse(raw) as unknown;
    if (!data || typeof data !== 'object' || Array.isArray(data)) return null;
    const o = data as Record<string, unknown>;
    return fromObject(o, o.userID, o.instanceName);
  } catch {
    return null;
  }
}

/**
 * The identity of an event for de-duplication: a message by its id, anything else by its content.
 * The same event reaches the gateway through the session webhook, the global webhook and the
 * provider's retries; all of them share this key (SPEC §6).
 */
export function eventKey(e: ProviderEvent): string {
  const info = (e.event as { Info?: { ID?: unknown } } | null)?.Info;
  if (typeof info?.ID === 'string' && info.ID) return `${e.type}:${info.ID}`.slice(0, 128);
  return `${e.type}:${createHash('sha256')
    .update(stableJson({ event: e.event, extras: e.extras }))
    .digest('hex')}`.slice(0, 128);
}

/** The stable public id customers see for an event (the same for every delivery of it). */
export function publicEventId(sessionRowId: number, key: string): string {
  return `evt_${createHash('sha256').update(`${sessionRowId}:${key}`).digest('hex').slice(0, 32)}`;
}
