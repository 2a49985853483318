import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Readable } from 'node:stream';
import { internalPrincipal } from '../../auth/internal-key.js';
import { SECURITY, errors } from '../schemas.js';
import { Overview, UsageCsv, UsageQuery, UsageReport, UsageTotalsPage, UsageTotalsQuery } from '../usage.schemas.js';
import { UserIdParams } from './users.schemas.js';

const tags = ['internal'];
const security = SECURITY.internal;

/** CSV when asked by `format=csv`, or by an Accept header that names text/csv and no `format=json`. */
const wantsCsv = (format: string | undefined, accept: string | undefined) =>
  format === 'csv' || (format === undefined && /\btext\/csv\b/i.test(accept ?? ''));

export const usageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { usage, usageExport, overview } = app.services;

  app.get(
    '/users/:user_id/usage',
    {
      schema: {
        tags,
        security,
        summary: "One user's messages per Asia/Jakarta day (SPEC §10)",
        params: UserIdParams,
        querystring: UsageQuery,
        response: { 200: UsageReport, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => usage.reportForUser(internalPrincipal(request), request.params.user_id, request.query),
  );

  app.get(
    '/usage',
    {
      schema: {
        tags,
        security,
        summary: 'Per-user totals over a range, for billing; CSV with Accept: text/csv or format=csv',
        querystring: UsageTotalsQuery,
        response: {
          200: { content: { 'application/json': { schema: UsageTotalsPage }, 'text/csv': { schema: UsageCsv } } },
          ...errors(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const { format, ...query } = request.query;
      if (!wantsCsv(format, request.headers.accept)) return usage.totalsPage(internalPrincipal(request), query);
      const csv = usageExport.exportTotals(internalPrincipal(request), query);
      reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${csv.filename}"`);
      // A stream is sent as it is, past the serialiser; the type provider only knows the schema's string.
      return reply.send(Readable.from(csv.lines) as unknown as string);
    },
  );

  app.get(
    '/overview',
    {
      schema: {
        tags,
        security,
        summary: "The operator console's overview: users, sessions, messages, top senders, webhook outbox",
        response: { 200: Overview, ...errors(401) },
      },
    },
    async (request) => overview.get(internalPrincipal(request)),
  );
};
