import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { customerPrincipal } from '../../auth/customer-key.js';
import type { ChangeOriginOf } from '../../http/change-origin.js';
import { SECURITY } from '../schemas.js';
import { SessionParams, sessionErrors } from './sessions.schemas.js';
import { Settings, SettingsBody, SettingsSaved } from './settings.schemas.js';

const tags = ['customer'];
const security = SECURITY.customer;

export const settingsRoutes: FastifyPluginAsyncTypebox<{ origin: ChangeOriginOf }> = async (app, { origin }) => {
  const { settings } = app.services;

  app.get(
    '/sessions/:session_id/settings',
    {
      schema: {
        tags,
        security,
        summary: 'Settings and message statistics',
        params: SessionParams,
        response: { 200: Settings, ...sessionErrors },
      },
    },
    async (request) => settings.get(customerPrincipal(request), request.params.session_id),
  );

  app.put(
    '/sessions/:session_id/settings',
    {
      schema: {
        tags,
        security,
        summary: 'Change settings',
        params: SessionParams,
        body: SettingsBody,
        response: { 200: SettingsSaved, ...sessionErrors },
      },
    },
    async (request) => settings.update(customerPrincipal(request), request.params.session_id, request.body ?? {}, origin(request)),
  );
};
