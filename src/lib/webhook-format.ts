/**
 * What a session's webhook deliveries look like (SPEC §10, issue 12 §1). `provider`: genfity-wa's
 * event exactly as it posted it — a form (`jsonData`, `userID`, `instanceName`) or JSON body, the same
 * bytes — so a receiver written for genfity-wa keeps working behind the relay. `envelope`: the
 * gateway's JSON envelope `{"id","type","session_id","timestamp","data"}`.
 */
import type { WebhookFormat } from './webhook-format-names.js';

/** The bytes of one delivery and their content type. */
export interface DeliveryBody {
  body: Buffer;
  contentType: string;
}

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * The content type genfity-wa declared, to be sent again as it was: printable ASCII of a sane length
 * (it ends up in a header and a varchar(255)); anything else becomes the plain type of its kind.
 */
export function postedContentType(declared: string): string {
  const value = declared.trim();
  if (/^[\x21-\x7e][\x20-\x7e]{0,254}$/.test(value)) return value;
  return value.toLowerCase().includes(FORM_TYPE) ? FORM_TYPE : JSON_TYPE;
}

export interface EnvelopeFields {
  id: string;
  type: string;
  sessionId: string;
  timestamp: Date;
  data: unknown;
}

function envelopeBody(e: EnvelopeFields): DeliveryBody {
  const envelope = { id: e.id, type: e.type, session_id: e.sessionId, timestamp: e.timestamp.toISOString(), data: e.data };
  return { body: Buffer.from(JSON.stringify(envelope)), contentType: JSON_TYPE };
}

/** A provider event in the session's format: `posted` is what genfity-wa sent, byte for byte. */
export function providerEventBody(format: WebhookFormat, posted: DeliveryBody, envelope: EnvelopeFields): DeliveryBody {
  return format === 'provider' ? posted : envelopeBody(envelope);
}

export interface GatewayEvent {
  id: string;
  type: string;
  event: unknown;
  /** The provider's session id: genfity-wa's `userID`. */
  sessionId: string;
  /** The session's name: genfity-wa's `instanceName`. */
  instanceName: string;
  timestamp: Date;
}

/**
 * An event the gateway makes itself (the test ping, session health) in the session's format. In
 * `provider` format it has genfity-wa's JSON shape (SPEC §10): `{"type","event","userID","instanceName"}`.
 */
export function gatewayEventBody(format: WebhookFormat, e: GatewayEvent): DeliveryBody {
  if (format === 'envelope') return envelopeBody({ ...e, data: { type: e.type, event: e.event } });
  const body = { type: e.type, event: e.event, userID: e.sessionId, instanceName: e.instanceName };
  return { body: Buffer.from(JSON.stringify(body)), contentType: JSON_TYPE };
}
