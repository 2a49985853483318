import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { AppError } from '../errors.js';

// Only the fields the gateway reads; everything else the provider sends is ignored (contract §2–§5).

/** POST /admin/users → 201 `{code, success, data:{id, token, webhook, …}}`; id is 32 lower-case hex. */
export const CreatedUser = Type.Object({
  data: Type.Object({ id: Type.String({ minLength: 1 }), token: Type.Optional(Type.String()), webhook: Type.Optional(Type.String()) }),
});

/** GET /admin/users: `data` is always an array. */
export const AdminUserList = Type.Object({
  data: Type.Array(Type.Object({ id: Type.String(), token: Type.Optional(Type.String()) })),
});

/** GET /session/status: lower-camel `connected` / `loggedIn`; `jid` carries the device suffix. */
export const SessionStatus = Type.Object({
  data: Type.Object({
    connected: Type.Optional(Type.Boolean()),
    loggedIn: Type.Optional(Type.Boolean()),
    jid: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    qrcode: Type.Optional(Type.String()),
    /** The subscription the provider filters this session's webhooks with (its token cache; "" after a disconnect). */
    events: Type.Optional(Type.String()),
    webhook: Type.Optional(Type.String()),
  }),
});

export const QrCode = Type.Object({ data: Type.Object({ QRCode: Type.String() }) });
export const LinkingCode = Type.Object({ data: Type.Object({ LinkingCode: Type.String() }) });

/** whatsmeow ContactInfo has no json tags: PascalCase keys, in a map keyed by JID under `data`. */
export const ContactInfo = Type.Object({
  Found: Type.Optional(Type.Boolean()),
  FirstName: Type.Optional(Type.String()),
  FullName: Type.Optional(Type.String()),
  PushName: Type.Optional(Type.String()),
  BusinessName: Type.Optional(Type.String()),
  RedactedPhone: Type.Optional(Type.String()),
});
export const ContactMap = Type.Object({ data: Type.Record(Type.String(), ContactInfo) });
export type ProviderContact = Static<typeof ContactInfo>;

/** Parses a provider body against its schema at the boundary; anything else is a typed 502. */
export function parseProvider<T extends TSchema>(schema: T, text: string): Static<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('PROVIDER_BAD_RESPONSE');
  }
  if (!Value.Check(schema, value)) throw new AppError('PROVIDER_BAD_RESPONSE');
  return value as Static<T>;
}
