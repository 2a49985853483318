import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { ErrorBody } from '../schemas.js';

const DESCRIPTION = [
  'Multi-tenant gateway in front of genfity-wa (SPEC §1). Internal services use `/internal/*` with an internal key,',
  'customers `/v1/*` with their `x-api-key`, customer apps `/wa/*` and `/v1/wa/*` with a session token.',
  'Every error the gateway writes itself is `ErrorBody` (`{"message","code"}`); genfity-wa\'s own answers on the',
  'token gateway are relayed unchanged.',
].join(' ');

/** Security schemes by the names the routes use in `schema.security` (routes/schemas.ts SECURITY). */
const securitySchemes = {
  internalKey: { type: 'apiKey', in: 'header', name: 'x-internal-api-key' },
  internalBearer: { type: 'http', scheme: 'bearer', description: 'An internal key as `Authorization: Bearer <key>`' },
  apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'A customer key' },
  sessionToken: { type: 'apiKey', in: 'header', name: 'token', description: 'A session token' },
  sessionBearer: { type: 'http', scheme: 'bearer', description: 'A session token as `Authorization: Bearer <token>` (or raw)' },
  metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when it is set' },
} as const;

const ERROR_BODY_ID = 'ErrorBody';

/** Routes embed ErrorBody by value; in the document every error response points at the one component. */
function referToErrorBody(schema: FastifySchema | undefined): FastifySchema {
  if (!schema?.response) return schema ?? {};
  const response = Object.fromEntries(
    Object.entries(schema.response as Record<string, { $id?: string }>).map(([status, body]) => [
      status,
      body?.$id === ERROR_BODY_ID ? { $ref: `${ERROR_BODY_ID}#` } : body,
    ]),
  );
  return { ...schema, response };
}

/**
 * OpenAPI 3 at `/openapi.json` and Swagger UI at `/docs` (SPEC §7), built from the routes' TypeBox
 * schemas. It must be registered on the root instance before any route: swagger collects routes
 * through an `onRoute` hook, which only sees routes added after it in its own scope — hence a plain
 * function and not an encapsulated plugin. The UI's assets ship inside the package: no CDN.
 */
export async function registerDocs(app: FastifyInstance): Promise<void> {
  // A shared schema, so the document has one ErrorBody component for every error response to refer to.
  app.addSchema(ErrorBody);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      // The version of the HTTP contract (the Go service's routes, SPEC §2), not of the package.
      info: { title: 'WA Support Gateway', version: '1.0.0', description: DESCRIPTION },
      components: { securitySchemes },
      tags: [
        { name: 'internal', description: 'Service-to-service: users, subscriptions, keys' },
        { name: 'customer', description: 'Customers: sessions, settings, contacts' },
        { name: 'gateway', description: 'Session-token proxy to genfity-wa' },
        { name: 'ops', description: 'Probes, metrics and docs' },
      ],
    },
    transform: ({ schema, url }) => ({ schema: referToErrorBody(schema), url }),
    // Schemas carrying an `$id` (ErrorBody) become named components instead of `def-N`.
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
