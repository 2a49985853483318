import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const common: Options = { removeAdditional: false, useDefaults: true, allErrors: false, allowUnionTypes: true, strict: false };

/**
 * Query strings and path parameters arrive as text and are converted to the schema's types; JSON
 * bodies are not: `"history": true` for an integer is a 400, as with the Go binder, not a silent 1.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const coercing = addFormats.default(new Ajv({ ...common, coerceTypes: 'array' }));
  const exact = addFormats.default(new Ajv({ ...common, coerceTypes: false }));
  return ({ schema, httpPart }) => (httpPart === 'body' ? exact : coercing).compile(schema as object);
}
