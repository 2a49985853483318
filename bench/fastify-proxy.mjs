// What Fastify itself costs on the send path (bench:gateway): the bare proxy's work — token in a Map,
// bodies streamed both ways through one undici Pool — as one Fastify route with no logger, hooks or
// plugins. Between it and the bare proxy is the framework's share; between it and the gateway, ours.
// Plain JavaScript so that it runs without a loader, like the built gateway.
// PORT=… UPSTREAM_URL=http://… TOKENS=a,b node bench/fastify-proxy.mjs
import Fastify from 'fastify';
import { Pool } from 'undici';

const PREFIX = '/v1/wa';
const tokens = new Map((process.env.TOKENS ?? '').split(',').map((t) => [t, t]));
const pool = new Pool(process.env.UPSTREAM_URL, { connections: 128, keepAliveTimeout: 30_000 });
const app = Fastify({ logger: false });
// The body is not parsed: it streams on to the upstream.
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', (_request, _payload, done) => done(null));

app.all(`${PREFIX}/*`, async (request, reply) => {
  const token = tokens.get(request.headers.token);
  if (!token) return reply.code(403).send({ message: 'refused', code: 'TOKEN_INVALID' });
  const headers = { token };
  if (request.headers['content-type']) headers['content-type'] = request.headers['content-type'];
  if (request.headers['content-length']) headers['content-length'] = request.headers['content-length'];
  const up = await pool.request({
    method: request.method,
    path: request.raw.url.slice(PREFIX.length),
    headers,
    body: request.method === 'GET' || request.method === 'HEAD' ? null : request.raw,
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });
  reply.status(up.statusCode);
  for (const name of ['content-type', 'content-length']) if (up.headers[name]) reply.header(name, up.headers[name]);
  return reply.send(up.body);
});

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => pool.close().then(() => process.exit(0))));
