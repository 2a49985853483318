import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { AppError } from '../../errors.js';

/**
 * Nothing on the console is inline, remote or framed: scripts and styles come from the gateway
 * itself, QR codes arrive as `data:` images, and API calls go to the same origin (issue 8).
 */
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const SECURITY_HEADERS = { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * `web/dist` of the package, from the source tree (`src/routes/ops`) and from the compiled one
 * (`dist/src/routes/ops`) alike: the first folder upwards that holds `package.json`.
 */
export function defaultWebRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'web', 'dist');
}

async function readShell(root: string): Promise<string> {
  try {
    return await readFile(join(root, 'index.html'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('SERVICE_UNAVAILABLE', 'web console not built');
    throw error;
  }
}

/**
 * The web console under `/dashboard/`: hashed assets cached for a year (their names change with their
 * content), and the SPA shell for every other path, never cached so a deploy shows at once.
 */
export const webRoutes: FastifyPluginAsync<{ root: string }> = async (app, options) => {
  const root = resolve(options.root);
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });

  // Missing folders are not fatal here: the shell answers 503 until `npm run build:web` has run.
  await app.register(fastifyStatic, {
    root: join(root, 'assets'),
    prefix: '/dashboard/assets/',
    decorateReply: false,
    index: false,
    suppressWarning: true,
    schemaHide: true,
    cacheControl: true,
    maxAge: YEAR_MS,
    immutable: true,
  });

  const shell = async (_request: unknown, reply: FastifyReply) => {
    const html = await readShell(root);
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
  };
  app.get('/dashboard', { schema: { hide: true } }, shell);
  app.get('/dashboard/*', { schema: { hide: true } }, shell);
};
