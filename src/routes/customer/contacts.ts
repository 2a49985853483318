import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { customerPrincipal } from '../../auth/customer-key.js';
import { DateTime, Nullable, SECURITY } from '../schemas.js';
import { SessionParams, sessionErrors } from './sessions.schemas.js';

const Contact = Type.Object({
  id: Type.Integer(),
  user_id: Type.String(),
  session_id: Type.String(),
  jid: Type.String(),
  name: Type.String(),
  phone: Type.String(),
  raw: Nullable(Type.Record(Type.String(), Type.Unknown())),
  last_synced_at: Nullable(DateTime),
  created_at: Nullable(DateTime),
  updated_at: Nullable(DateTime),
});
const Counts = Type.Object({ added: Type.Integer(), updated: Type.Integer(), removed: Type.Integer(), total: Type.Integer() });
const ContactList = Type.Object({
  contacts: Type.Array(Contact),
  synced: Type.Boolean(),
  sync_error: Nullable(Type.String()),
  sync: Nullable(Counts),
});
const SyncReply = Type.Object({
  synced: Type.Integer(),
  added: Type.Integer(),
  updated: Type.Integer(),
  removed: Type.Integer(),
  total: Type.Integer(),
});
// As the Go service: only the word "true" (any case) syncs; anything else, `false` included, does not.
const ContactQuery = Type.Object({
  sync: Type.Optional(Type.String({ maxLength: 16 })),
  q: Type.Optional(Type.String({ maxLength: 128 })),
});

const tags = ['customer'];
const security = SECURITY.customer;

export const contactRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { contacts } = app.services;

  app.get(
    '/sessions/:session_id/contacts',
    {
      schema: {
        tags,
        security,
        summary: 'Contacts (synced first unless sync=false)',
        params: SessionParams,
        querystring: ContactQuery,
        response: { 200: ContactList, ...sessionErrors },
      },
    },
    async (request) =>
      contacts.list(customerPrincipal(request), request.params.session_id, {
        sync: (request.query.sync ?? 'true').toLowerCase() === 'true',
        search: request.query.q,
      }),
  );

  app.post(
    '/sessions/:session_id/contacts/sync',
    {
      schema: {
        tags,
        security,
        summary: 'Sync contacts from the provider',
        params: SessionParams,
        response: { 200: SyncReply, ...sessionErrors },
      },
    },
    async (request) => contacts.sync(customerPrincipal(request), request.params.session_id),
  );
};
