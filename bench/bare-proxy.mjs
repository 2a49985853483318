// The Node ceiling for the token gateway (bench:gateway): node:http in front of one undici Pool, the
// token looked up in a Map, bodies streamed both ways, nothing else. What the gateway does beyond this
// (limits, quota, stats, metrics, request ids, the path allow-list) is what the benchmark weighs.
// Plain JavaScript so that it runs without a loader, like the built gateway.
// PORT=… UPSTREAM_URL=http://… TOKENS=a,b node bench/bare-proxy.mjs
import { createServer } from 'node:http';
import { Pool } from 'undici';

const PREFIX = '/v1/wa';
const tokens = new Map((process.env.TOKENS ?? '').split(',').map((t) => [t, t]));
const pool = new Pool(process.env.UPSTREAM_URL, { connections: 128, keepAliveTimeout: 30_000 });

function refuse(req, res, status) {
  req.resume();
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ message: 'refused', code: status === 403 ? 'TOKEN_INVALID' : 'GATEWAY_ROUTE_UNKNOWN' }));
}

const server = createServer(async (req, res) => {
  const token = tokens.get(req.headers.token);
  if (!token) return refuse(req, res, 403);
  if (!req.url.startsWith(`${PREFIX}/`)) return refuse(req, res, 404);
  const headers = { token };
  if (req.headers['content-type']) headers['content-type'] = req.headers['content-type'];
  if (req.headers['content-length']) headers['content-length'] = req.headers['content-length'];
  try {
    const up = await pool.request({
      method: req.method,
      path: req.url.slice(PREFIX.length),
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? null : req,
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    });
    const out = {};
    for (const name of ['content-type', 'content-length']) if (up.headers[name]) out[name] = up.headers[name];
    res.writeHead(up.statusCode, out);
    // pipe, not stream.pipeline: the latter makes an AbortController per call and aborts it at the end
    // (a DOMException each time), some 10 % of this process's time; Fastify pipes too.
    up.body.once('error', () => res.destroy());
    res.once('close', () => up.body.destroy());
    up.body.pipe(res);
  } catch {
    if (res.headersSent) res.destroy();
    else {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"message":"provider unavailable","code":"PROVIDER_UNAVAILABLE"}');
    }
  }
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => pool.close().then(() => process.exit(0))));
