import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ERRORS } from '../../errors.js';

const Checks = Type.Record(Type.String(), Type.String());
const ReadyReply = Type.Object(
  {
    status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
    checks: Checks,
    details: Type.Optional(Checks),
    message: Type.Optional(Type.String()),
    code: Type.Optional(Type.String()),
  },
  { description: '`checks` names each dependency (`ok` or `down`); `details` says why, or warns' },
);

/**
 * Readiness (SPEC §7): 200 when the store answers and genfity-wa is reachable, 503 naming what is
 * down otherwise, so a load balancer stops sending traffic. `/health` stays the cheap liveness probe.
 */
export const readyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/ready',
    { schema: { tags: ['ops'], summary: 'Readiness', response: { 200: ReadyReply, 503: ReadyReply } } },
    async (_request, reply) => {
      const { ready, checks, details } = await app.services.readiness.check();
      if (ready) return { status: 'ready' as const, checks, details };
      const down = Object.keys(checks).filter((name) => checks[name] !== 'ok');
      return reply
        .status(503)
        .send({ status: 'not_ready', checks, details, message: `${ERRORS.NOT_READY.message}: ${down.join(', ')} down`, code: 'NOT_READY' });
    },
  );
};
