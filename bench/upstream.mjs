// The least a provider can be (bench:gateway): answers a text send at once, in genfity-wa's shape
// (provider contract §6: HTTP 200, `{"code":200,"success":true,"data":{"Details":"Sent","Id","Timestamp"}}`,
// Timestamp in Unix seconds), and the one admin call the benchmark needs to make its session
// (POST /admin/users, §2: 201, the user with its 32-hex id). Not the simulator: its own cost would hide
// the gateway's. Plain JavaScript so that it runs without a loader, like the built gateway.
// PORT=… node bench/upstream.mjs
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 0);
let sent = 0;

function answer(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Reads the body whole (sends are small); the benchmark's clients never send a large one. */
function withBody(req, then) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => then(Buffer.concat(chunks)));
}

const server = createServer((req, res) => {
  withBody(req, (body) => {
    const token = req.headers.token;
    if (req.method === 'POST' && req.url === '/chat/send/text') {
      if (typeof token !== 'string' || token === '') return answer(res, 401, { code: 401, error: 'unauthorized', success: false });
      const { Phone, Body } = JSON.parse(body.toString('utf8') || '{}');
      if (!Phone) return answer(res, 400, { code: 400, error: 'missing Phone in Payload', success: false });
      if (!Body) return answer(res, 400, { code: 400, error: 'missing Body in Payload', success: false });
      sent += 1;
      const Id = `3EB0${sent.toString(16).toUpperCase().padStart(16, '0')}`;
      return answer(res, 200, { code: 200, success: true, data: { Details: 'Sent', Id, Timestamp: Math.floor(Date.now() / 1000) } });
    }
    if (req.method === 'POST' && req.url === '/admin/users') {
      const user = JSON.parse(body.toString('utf8'));
      const id = randomBytes(16).toString('hex');
      return answer(res, 201, {
        code: 201,
        success: true,
        data: {
          id,
          name: user.name,
          token: user.token,
          webhook: user.webhook ?? '',
          expiration: 0,
          events: user.events ?? '',
          hmac_key: false,
        },
      });
    }
    if (req.url === '/health') return answer(res, 200, { status: 'ok' });
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('404 page not found\n');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
