import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const common: Options = { removeAdditional: false, useDefaults: true, allErrors: false, allowUnionTypes: true, strict: false };

/** What Fastify calls: true or false, and on false the reasons in `errors`, as an Ajv function has them. */
interface Validator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/**
 * Query strings and path parameters arrive as text and are converted to the schema's types; JSON
 * bodies are not: `"history": true` for an integer is a 400, as with the Go binder, not a silent 1.
 *
 * Each schema is compiled on the first request that needs it, not at start-up: compiling every
 * route's schemas took about a third of the gateway's start (issue 15), and a route's first request
 * pays a few milliseconds instead.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const coercing = addFormats.default(new Ajv({ ...common, coerceTypes: 'array' }));
  const exact = addFormats.default(new Ajv({ ...common, coerceTypes: false }));
  return ({ schema, httpPart }) => {
    let compiled: ValidateFunction | undefined;
    const validate: Validator = (data) => {
      compiled ??= (httpPart === 'body' ? exact : coercing).compile(schema as object);
      const valid = compiled(data);
      validate.errors = compiled.errors;
      return valid;
    };
    return validate;
  };
}
