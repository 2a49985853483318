import cors from '@fastify/cors';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';
import type { Config } from './config.js';
import type { Deps } from './deps.js';
import { createChangeOrigin } from './http/change-origin.js';
import { answerClientError, requestDeadline } from './http/client-error.js';
import { closeConnectionsWhileDraining } from './http/drain.js';
import { handleError, handleNotFound } from './http/error-handler.js';
import { parseJsonBody } from './http/json-body.js';
import { requestLogger } from './lib/logger.js';
import { observeRequests } from './http/request-metrics.js';
import { createSerializerFactory } from './http/serialization.js';
import { randomUuid } from './lib/random.js';
import { createValidatorCompiler } from './http/validation.js';
import { customerRoutes } from './routes/customer/index.js';
import { gatewayRoutes } from './routes/gateway/index.js';
import { internalRoutes } from './routes/internal/index.js';
import { createPublicGuard } from './http/rate-limit.js';
import { registerDocs } from './routes/ops/docs.js';
import { defaultWebRoot, webRoutes } from './routes/ops/web.js';
import { healthRoutes } from './routes/ops/health.js';
import { metricsRoutes } from './routes/ops/metrics.js';
import { readyRoutes } from './routes/ops/ready.js';
import { providerWebhookRoutes } from './routes/webhooks/index.js';

export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const EXPOSED_HEADERS = 'X-Request-Id';

// A request's pino child is made only when one of its lines is written (lib/logger.ts).
const childLoggerFactory = (logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) =>
  requestLogger(logger as Logger, bindings, options);

/** Builds the HTTP app on already-created dependencies; listening is the caller's business. */
export async function buildApp(config: Readonly<Config>, deps: Deps, options: { logger?: boolean } = {}): Promise<App> {
  const app = Fastify({
    ...(options.logger === false ? { logger: false } : { loggerInstance: deps.logger as FastifyBaseLogger, childLoggerFactory }),
    bodyLimit: config.env.API_MAX_BODY_BYTES,
    // Issue 11 item 3: a request has REQUEST_BODY_TIMEOUT_MS to arrive whole, on every route, or it
    // gets 408 REQUEST_TIMEOUT and its connection is closed; a slow client holds nothing but its socket.
    ...requestDeadline(config.env.REQUEST_BODY_TIMEOUT_MS),
    clientErrorHandler: answerClientError,
    schemaController: { compilersFactory: { buildSerializer: createSerializerFactory() } },
    routerOptions: { ignoreTrailingSlash: true },
    trustProxy: config.trustProxy,
    // Graceful shutdown (SPEC §7): close() stops accepting and ends idle keep-alive sockets while
    // requests in flight finish; one arriving on a busy socket meanwhile gets 503 + Connection: close.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Accepted from a caller that already has one, so logs of both sides can be joined (SPEC §7).
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUuid(deps.random);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(createValidatorCompiler());
  app.decorate('services', deps.services);
  // Every answer: its request id and the CORS headers of a public API open to any origin. A callback
  // hook, not an async one: no promise per request for three headers.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    reply.header('access-control-allow-origin', '*');
    reply.header('access-control-expose-headers', EXPOSED_HEADERS);
    done();
  });
  // The Go service never looked at Content-Type: any body on these routes is read as JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, parseJsonBody);
  // Preflights (OPTIONS, any path) are @fastify/cors's, in a scope of their own: its hook runs for them
  // only, not on every request (where it built two route-options objects and copied its options).
  await app.register(async (preflight) => {
    await preflight.register(cors, {
      origin: '*',
      methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD'],
      allowedHeaders: ['Content-Type', 'Authorization', 'token', 'x-api-key', 'x-internal-api-key', 'Idempotency-Key', 'X-Request-Id'],
      exposedHeaders: [EXPOSED_HEADERS],
      optionsSuccessStatus: 204,
      strictPreflight: false,
    });
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  // Before every route: the OpenAPI document and the request metrics see the routes registered after them.
  await registerDocs(app);
  observeRequests(app, deps.metrics);
  closeConnectionsWhileDraining(app);
  await app.register(healthRoutes);
  await app.register(readyRoutes);
  await app.register(metricsRoutes, { metrics: deps.metrics, token: config.env.METRICS_TOKEN });
  // Changes through /internal and /v1 are recorded with who made them and from where (SPEC §10).
  const origin = createChangeOrigin(config.trustProxy);
  await app.register(internalRoutes, { prefix: '/internal', keys: config.internalKeys, origin });
  // The public limits (SPEC §10): per user once a credential lets a request in, per address otherwise,
  // on /v1, /wa and /v1/wa only; /internal, health, readiness, metrics and webhooks are exempt.
  const guard = createPublicGuard({
    limiter: deps.limiter,
    trustProxy: config.trustProxy,
    exemptIps: config.rateLimitExemptIps,
    onRefused: (reason) => deps.metrics.rateLimitRejected(reason),
  });
  await app.register(customerRoutes, { prefix: '/v1', guard, eventStreamBufferBytes: config.env.EVENT_STREAM_BUFFER_BYTES, origin });
  // Live event streams never end by themselves: a drain ends them first (clients reconnect with Last-Event-ID).
  app.addHook('preClose', async () => deps.services.liveEvents.closeAll());
  // Older clients use /wa, govconnect /v1/wa since February 2026 (real-clients.md): both are served.
  await app.register(gatewayRoutes, { prefix: '/wa', guard });
  await app.register(gatewayRoutes, { prefix: '/v1/wa', guard });
  // The web console (issue 8): a static single-page app on the public API, no credentials of its own.
  await app.register(webRoutes, { root: defaultWebRoot() });
  // genfity-wa posts its events here (SPEC §6); events with media inline can be many megabytes, read
  // only once what needs no body has been checked (issue 11 §2).
  await app.register(providerWebhookRoutes, {
    prefix: '/webhook',
    trustProxy: config.trustProxy,
    bodyTimeoutMs: config.env.REQUEST_BODY_TIMEOUT_MS,
  });
  return app;
}
