import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleError, handleNotFound } from '../../../src/http/error-handler.js';
import { defaultWebRoot, webRoutes } from '../../../src/routes/ops/web.js';

const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

let dir: string;
const apps: FastifyInstance[] = [];

/** The plugin on a bare Fastify with the gateway's error handlers, on a folder the test writes. */
async function serve(root: string) {
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  await app.register(webRoutes, { root });
  apps.push(app);
  return app;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'web-console-'));
  mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dir, 'dist', 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'dist', 'assets', 'index-abc123.css'), 'body{}');
  writeFileSync(join(dir, 'secret.txt'), 'outside the root');
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('web console serving: happy', () => {
  it.each(['/dashboard', '/dashboard/', '/dashboard/sessions/abc', '/dashboard/operator'])(
    '%s answers the SPA shell, never cached',
    async (url) => {
      const res = await (await serve(join(dir, 'dist'))).inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<title>console</title>');
    },
  );

  it('hashed assets are cached for a year as immutable, with their own content type', async () => {
    const app = await serve(join(dir, 'dist'));
    const js = await app.inject({ url: '/dashboard/assets/index-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-type']).toMatch(/^(application|text)\/javascript/);
    expect(js.body).toBe('console.log(1)');
    expect((await app.inject({ url: '/dashboard/assets/index-abc123.css' })).headers['content-type']).toMatch(/^text\/css/);
  });

  it('every answer carries the strict CSP, nosniff and no-referrer', async () => {
    const app = await serve(join(dir, 'dist'));
    for (const url of ['/dashboard', '/dashboard/assets/index-abc123.js']) {
      const res = await app.inject({ url });
      expect(res.headers['content-security-policy']).toBe(CSP);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('finds web/dist from the source tree and from the compiled one', () => {
    const repo = new URL('../../../', import.meta.url).pathname;
    expect(defaultWebRoot(join(repo, 'src/routes/ops/web.ts'))).toBe(join(repo, 'web/dist'));
    expect(defaultWebRoot(join(repo, 'dist/src/routes/ops/web.js'))).toBe(join(repo, 'web/dist'));
  });
});

describe('web console serving: errors', () => {
  it('an unbuilt console answers 503 with the error body', async () => {
    const res = await (await serve(join(dir, 'missing'))).inject({ url: '/dashboard' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ message: 'web console not built', code: 'SERVICE_UNAVAILABLE' });
  });

  it('a missing asset is a 404, not the shell (a stale tab must not run HTML as a script)', async () => {
    const res = await (await serve(join(dir, 'dist'))).inject({ url: '/dashboard/assets/index-gone.js' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });

  it.each(['/dashboard/assets/../../secret.txt', '/dashboard/assets/%2e%2e/%2e%2e/secret.txt', '/dashboard/assets/..%2f..%2fsecret.txt'])(
    '%s cannot leave the root',
    async (url) => {
      const res = await (await serve(join(dir, 'dist'))).inject({ url });
      expect(res.body).not.toContain('outside the root');
    },
  );
});
