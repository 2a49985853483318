import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { customerPrincipal } from '../../auth/customer-key.js';
import { openEventStream } from '../../http/event-stream.js';
import { errors, SECURITY } from '../schemas.js';
import { SessionParams } from './sessions.schemas.js';

const EventStream = Type.String({
  description:
    'Server-Sent Events: `event: state` (data: the session state and health) on every change; in relay mode every provider event ' +
    'the session subscribed to (`event: <type>`, `id:` its delivery id, `data:` the provider JSON); `: heartbeat` every 15 s',
});

/** GET /v1/sessions/:session_id/events (SPEC §10 "Live events"): the session's state and events as they happen. */
export const sessionEventRoutes: FastifyPluginAsyncTypebox<{ bufferBytes: number }> = async (app, options) => {
  const { liveEvents } = app.services;

  app.get(
    '/sessions/:session_id/events',
    {
      // A HEAD would open a stream with no body to carry it.
      exposeHeadRoute: false,
      schema: {
        tags: ['customer'],
        security: SECURITY.customer,
        summary: 'Live events of a session (Server-Sent Events)',
        params: SessionParams,
        headers: Type.Object({
          'last-event-id': Type.Optional(Type.String({ maxLength: 128, description: 'Resume after this event, while it is retained' })),
        }),
        response: { 200: { content: { 'text/event-stream': { schema: EventStream } } }, ...errors(401, 403, 404, 429, 503) },
      },
    },
    async (request, reply) => {
      const pending = await liveEvents.open(
        customerPrincipal(request),
        request.params.session_id,
        request.headers['last-event-id'] || null,
      );
      let detach = pending.cancel;
      const sink = openEventStream(reply, options.bufferBytes, () => detach());
      detach = pending.attach(sink);
      return reply;
    },
  );
};
