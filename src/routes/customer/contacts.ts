import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { customerPrincipal } from '../../auth/customer-key.js';
import { SECURITY } from '../schemas.js';
import { SessionParams, sessionErrors } from './sessions.schemas.js';
import { ContactList, ContactQuery, SyncReply } from './contacts.schemas.js';

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
