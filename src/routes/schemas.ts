import { Type, type TSchema } from 'typebox';
import { ERRORS, type ErrorCode } from '../errors.js';

/** A code of the catalogue (errors.ts); listed in the OpenAPI document, which the catalogue test checks. */
const ErrorCodeSchema = Type.Unsafe<ErrorCode>({
  type: 'string',
  enum: Object.keys(ERRORS),
  description: 'Stable, machine-readable error code',
});

/** Every error the gateway writes itself (SPEC §2): a message, and a stable code. */
export const ErrorBody = Type.Object({ message: Type.String(), code: Type.Optional(ErrorCodeSchema) }, { $id: 'ErrorBody' });

/** An instant in a reply: services hand over `Date`s, serialised as RFC 3339 (`toISOString`). */
export const DateTime = Type.Unsafe<Date>({ type: 'string', format: 'date-time' });
/** An instant in a request body: an RFC 3339 string. */
export const DateTimeInput = Type.String({ format: 'date-time' });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Error responses a route can give, by status, for the OpenAPI document and serialisation. */
export const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, ErrorBody])) as Record<number, typeof ErrorBody>;

type Security = Array<Record<string, string[]>>;
/** OpenAPI security requirements of each caller kind (SPEC §1). */
export const SECURITY = {
  internal: [{ internalKey: [] }, { internalBearer: [] }] as Security,
  customer: [{ apiKey: [] }] as Security,
  token: [{ sessionToken: [] }, { sessionBearer: [] }] as Security,
};
