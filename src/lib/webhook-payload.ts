import { createHash } from 'node:crypto';
import { stableJson } from './json.js';
import { toPgText } from './pg-text.js';

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

/** genfity-wa's event names (`Message`, `ReadReceipt`, …): they end up in a header and a varchar(64). */
const EVENT_TYPE = /^[A-Za-z0-9_.:-]{1,64}$/;

function fromObject(data: Record<string, unknown>, userId: unknown, instanceName: unknown): ProviderEvent | null {
  if (typeof data.type !== 'string' || !EVENT_TYPE.test(data.type)) return null;
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

/** What identifies an event for de-duplication: a message by its id, anything else by its content. */
export interface EventKey {
  value: string;
  /** True for a message id: unique to one occurrence. False for content, which repeats (issue 11 §5). */
  byId: boolean;
}

/**
 * The identity of an event: a message by its id, anything else by its content. The same occurrence
 * reaches the gateway through the session webhook, the global webhook and the provider's retries,
 * all with this key; content-identical occurrences (`Connected {}` after a reconnect) share it too,
 * so the key alone only settles messages (SPEC §6).
 */
export function eventKey(e: ProviderEvent): EventKey {
  const info = (e.event as { Info?: { ID?: unknown } } | null)?.Info;
  if (typeof info?.ID === 'string' && info.ID) return { value: toPgText(`${e.type}:${info.ID}`).slice(0, 128), byId: true };
  const digest = createHash('sha256')
    .update(stableJson({ event: e.event, extras: e.extras }))
    .digest('hex');
  return { value: `${e.type}:${digest}`.slice(0, 128), byId: false };
}

/** The stable public id customers see for an event (the same for every delivery of it); `key` names one occurrence. */
export function publicEventId(sessionRowId: number, key: string): string {
  return `evt_${createHash('sha256').update(`${sessionRowId}:${key}`).digest('hex').slice(0, 32)}`;
}
