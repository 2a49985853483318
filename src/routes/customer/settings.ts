import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { customerPrincipal } from '../../auth/customer-key.js';
import type { ChangeOriginOf } from '../../http/change-origin.js';
import { DateTime, Nullable, SECURITY } from '../schemas.js';
import { SessionParams, WebhookFormat, sessionErrors } from './sessions.schemas.js';

const SettingsBody = Type.Object({
  webhook_url: Type.Optional(Type.String({ maxLength: 2048 })),
  webhook_secret: Type.Optional(Type.String({ maxLength: 512 })),
  auto_read_enabled: Type.Optional(Type.Boolean()),
  typing_enabled: Type.Optional(Type.Boolean()),
  webhook_format: Type.Optional(WebhookFormat),
});
const TypeStat = Type.Object({
  message_type: Type.String(),
  sent: Type.Integer(),
  failed: Type.Integer(),
  last_success_at: Nullable(DateTime),
  last_failed_at: Nullable(DateTime),
});
const Settings = Type.Object({
  session_id: Type.String(),
  webhook_url: Type.String(),
  webhook_secret_set: Type.Boolean(),
  webhook_format: WebhookFormat,
  auto_read_enabled: Type.Boolean(),
  typing_enabled: Type.Boolean(),
  message_stat_sent: Type.Integer(),
  message_stat_failed: Type.Integer(),
  message_stats: Type.Object({ sent: Type.Integer(), failed: Type.Integer(), by_type: Type.Array(TypeStat) }),
});
const Updated = Type.Object({ message: Type.String(), settings: Settings });

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
        response: { 200: Updated, ...sessionErrors },
      },
    },
    async (request) => settings.update(customerPrincipal(request), request.params.session_id, request.body ?? {}, origin(request)),
  );
};
