import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { internalPrincipal } from '../../auth/internal-key.js';
import type { ChangeOriginOf } from '../../http/change-origin.js';
import { SECURITY } from '../schemas.js';
import * as S from './users.schemas.js';

const tags = ['internal'];
const security = SECURITY.internal;

export const userRoutes: FastifyPluginAsyncTypebox<{ origin: ChangeOriginOf }> = async (app, { origin }) => {
  const { users, apiKeys } = app.services;

  app.get(
    '/me',
    { schema: { tags, security, summary: 'Which key is this', response: { 200: S.Me, 401: S.readErrors[401] } } },
    async (request) => {
      const principal = internalPrincipal(request);
      return { auth: { mode: principal.mode, source_service: principal.source ?? '' } };
    },
  );

  app.get(
    '/users',
    { schema: { tags, security, summary: 'List users', querystring: S.ListUsersQuery, response: { 200: S.UserList, ...S.readErrors } } },
    async (request) => users.listUsers(internalPrincipal(request), { ...request.query, limit: Math.min(request.query.limit, 100) }),
  );

  app.post(
    '/users',
    {
      schema: {
        tags,
        security,
        summary: 'Create or update a user and its subscription',
        body: S.UpsertUserBody,
        response: { 200: S.UpsertUserReply, ...S.writeErrors },
      },
    },
    async (request) =>
      users.upsertUser(internalPrincipal(request), { ...request.body, expires_at: new Date(request.body.expires_at) }, origin(request)),
  );

  app.get(
    '/users/:user_id',
    {
      schema: {
        tags,
        security,
        summary: 'One user',
        params: S.UserIdParams,
        querystring: S.ProviderQuery,
        response: { 200: S.UserItem, ...S.readErrors },
      },
    },
    async (request) => users.getUser(internalPrincipal(request), request.params.user_id, request.query.provider || undefined),
  );

  app.put(
    '/users/:user_id',
    {
      schema: {
        tags,
        security,
        summary: 'Change a user or its subscription',
        params: S.UserIdParams,
        body: S.UpdateUserBody,
        response: { 200: S.MessageReply, ...S.writeErrors },
      },
    },
    async (request) => {
      const { expires_at: expires, ...rest } = request.body;
      const input = { ...rest, expires_at: expires ? new Date(expires) : undefined };
      return users.updateUser(internalPrincipal(request), request.params.user_id, input, origin(request));
    },
  );

  app.get(
    '/users/:user_id/apikey',
    {
      schema: {
        tags,
        security,
        summary: 'Key info (never the key or its hash)',
        params: S.UserIdParams,
        response: { 200: S.ApiKeyInfo, ...S.readErrors },
      },
    },
    async (request) => apiKeys.getApiKeyInfo(internalPrincipal(request), request.params.user_id),
  );

  app.post(
    '/users/:user_id/apikey/rotate',
    {
      schema: {
        tags,
        security,
        summary: 'Issue a new key; the old one stops working at once, or after grace_seconds',
        params: S.UserIdParams,
        body: S.RotateBody,
        response: { 200: S.RotateReply, ...S.writeErrors },
      },
      // The Go service never read a body here: a call without one is `{}`, and rotates at once as before.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) =>
      apiKeys.rotateApiKey(internalPrincipal(request), request.params.user_id, request.body.grace_seconds ?? 0, origin(request)),
  );
};
