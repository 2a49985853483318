import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';

let t: TestApp;
let doc: Record<string, any>;
beforeAll(async () => {
  t = await createTestApp();
  doc = (await t.app.inject({ url: '/openapi.json' })).json();
});
afterAll(async () => {
  await t.close();
});

const operations = () =>
  Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op })),
  );

describe('OpenAPI document (/openapi.json)', () => {
  it('is OpenAPI 3 with the five credential schemes the routes name', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes).toMatchObject({
      internalKey: { type: 'apiKey', in: 'header', name: 'x-internal-api-key' },
      internalBearer: { type: 'http', scheme: 'bearer' },
      apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      sessionToken: { type: 'apiKey', in: 'header', name: 'token' },
      sessionBearer: { type: 'http', scheme: 'bearer' },
    });
    const named = new Set(operations().flatMap(({ op }) => (op.security ?? []).flatMap((s: object) => Object.keys(s))));
    for (const scheme of named) expect(doc.components.securitySchemes, scheme).toHaveProperty(scheme);
  });

  it('lists every route family: internal, customer, gateway and ops', () => {
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/health',
        '/ready',
        '/metrics',
        '/internal/users',
        '/internal/users/{user_id}',
        '/v1/me',
        '/v1/sessions',
        '/v1/sessions/{session_id}/settings',
        '/v1/sessions/{session_id}/contacts',
        '/wa/{*}',
        '/v1/wa/{*}',
      ]),
    );
    expect(doc.paths['/internal/users'].post.security).toEqual([{ internalKey: [] }, { internalBearer: [] }]);
    expect(doc.paths['/v1/me'].get.security).toEqual([{ apiKey: [] }]);
    expect(doc.paths['/v1/wa/{*}'].post.security).toEqual([{ sessionToken: [] }, { sessionBearer: [] }]);
  });

  it('describes request bodies and responses from the TypeBox schemas', () => {
    const upsert = doc.paths['/internal/users'].post;
    expect(upsert.requestBody.content['application/json'].schema.properties).toHaveProperty('expires_at');
    expect(upsert.responses['200'].content['application/json'].schema.properties).toHaveProperty('api_key');
  });

  it('every error response is the one ErrorBody component, whose code lists the catalogue', () => {
    expect(doc.components.schemas.ErrorBody).toMatchObject({
      type: 'object',
      required: ['message'],
      properties: { message: { type: 'string' }, code: { type: 'string', enum: expect.arrayContaining(['ROUTE_NOT_FOUND']) } },
    });
    // /ready answers 503 with its own report (checks by name), not an error body.
    const errorResponses = operations()
      .filter(({ path }) => path !== '/ready')
      .flatMap(({ op }) =>
        Object.entries(op.responses as Record<string, any>)
          .filter(([status]) => Number(status) >= 400)
          .map(([, response]) => response.content?.['application/json']?.schema),
      );
    expect(errorResponses.length).toBeGreaterThan(20);
    for (const schema of errorResponses) expect(schema).toEqual({ $ref: '#/components/schemas/ErrorBody' });
  });

  it('leaves the docs routes themselves out', () => {
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/docs') || p === '/openapi.json')).toEqual([]);
  });
});

describe('docs page (/docs)', () => {
  it('serves Swagger UI from the gateway itself: every asset local, no CDN, no remote validator', async () => {
    const page = await t.app.inject({ url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(2);
    for (const asset of assets) {
      expect(asset, 'relative, never a CDN').toMatch(/^\.\/static\//);
      expect((await t.app.inject({ url: `/docs/${asset.slice(2)}` })).statusCode, asset).toBe(200);
    }
    const init = await t.app.inject({ url: '/docs/static/swagger-initializer.js' });
    expect(init.body).toMatch(/validatorUrl: null/);
    expect((await t.app.inject({ url: '/docs/json' })).json().openapi).toBe(doc.openapi);
  });
});
