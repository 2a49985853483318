import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { customerPrincipal } from '../../auth/customer-key.js';
import type { ChangeOriginOf } from '../../http/change-origin.js';
import { SECURITY } from '../schemas.js';
import * as S from './sessions.schemas.js';

const tags = ['customer'];
const security = SECURITY.customer;

export const sessionRoutes: FastifyPluginAsyncTypebox<{ origin: ChangeOriginOf }> = async (app, { origin }) => {
  const { sessions } = app.services;

  app.get(
    '/sessions',
    {
      // The one route a lapsed subscription may use, as in the Go service (go-service-api §8.10).
      config: { subscription: 'not-required' },
      schema: { tags, security, summary: "The caller's sessions", response: { 200: S.SessionList, ...S.sessionErrors } },
    },
    async (request) => sessions.list(customerPrincipal(request)),
  );

  app.post(
    '/sessions',
    {
      schema: {
        tags,
        security,
        summary: 'Create a session on the provider',
        body: S.CreateSessionBody,
        response: { 201: S.SessionReply, ...S.sessionErrors },
      },
    },
    async (request, reply) => reply.status(201).send(await sessions.create(customerPrincipal(request), request.body, origin(request))),
  );

  app.put(
    '/sessions/:session_id',
    {
      schema: {
        tags,
        security,
        summary: 'Rename or reconfigure a session',
        params: S.SessionParams,
        body: S.UpdateSessionBody,
        response: { 200: S.SessionReply, ...S.sessionErrors },
      },
    },
    async (request) => sessions.update(customerPrincipal(request), request.params.session_id, request.body ?? {}, origin(request)),
  );

  app.delete(
    '/sessions/:session_id',
    {
      schema: {
        tags,
        security,
        summary: 'Delete a session everywhere',
        params: S.SessionParams,
        response: { 200: S.ProviderBody, ...S.sessionErrors },
      },
    },
    async (request, reply) => {
      const res = await sessions.remove(customerPrincipal(request), request.params.session_id, origin(request));
      return reply
        .status(res.status as 200)
        .type(res.contentType)
        .serializer((body) => body as string)
        .send(res.body);
    },
  );
};
