import { describe, expect, it } from 'vitest';
import { encodePath, normaliseGatewayPath } from '../../src/lib/path.js';
import { isCrossTenantQuery, matchUserRoute } from '../../src/provider/user-routes.js';

describe('normaliseGatewayPath', () => {
  it.each([
    ['/session/status', '/session/status'],
    ['//session//status', '/session/status'],
    ['/./session/./status/', '/session/status'],
    ['/chat/../session/status', '/session/status'],
    ['/%73ession/status', '/session/status'],
    ['/session%2fstatus', '/session/status'],
    ['/user/lid/62811%40s.whatsapp.net', '/user/lid/62811@s.whatsapp.net'],
    ['', '/'],
    ['/', '/'],
  ])('%j → %j', (raw, path) => expect(normaliseGatewayPath(raw)).toMatchObject({ ok: true, path }));

  it.each(['/..', '/../x', '/a/../../x', '/%2e%2e', '/%2561dmin', '/a%00b', '/a\\b', '/%5c', '/a%3fb', '/a%23b', '/%E0%A4%A', '/a\nb'])(
    '%j is refused',
    (raw) => expect(normaliseGatewayPath(raw).ok).toBe(false),
  );

  it('re-encodes segments so a decoded character cannot change the URL', () => {
    expect(encodePath(['user', 'lid', '62811@s.whatsapp.net'])).toBe('/user/lid/62811%40s.whatsapp.net');
    expect(encodePath(['a b'])).toBe('/a%20b');
  });
});

describe('matchUserRoute', () => {
  const match = (method: string, path: string) => matchUserRoute(method, path, path.split('/').filter(Boolean)).kind;
  it.each([
    ['POST', '/chat/send/text', 'route'],
    ['HEAD', '/session/status', 'route'],
    ['GET', '/user/lid/62811', 'route'],
    ['GET', '/user/lid/a/b', 'unknown'],
    ['GET', '/chat/send/text', 'method'],
    ['GET', '/admin', 'admin'],
    ['POST', '/Admin/users', 'admin'],
    ['GET', '/static/index.html', 'unknown'],
  ])('%s %s → %s', (method, path, kind) => expect(match(method, path)).toBe(kind));

  it('sends carry their message type; lifecycle calls are marked', () => {
    const send = matchUserRoute('POST', '/chat/send/image', ['chat', 'send', 'image']);
    expect(send).toMatchObject({ kind: 'route', route: { send: 'image', slow: true } });
    expect(matchUserRoute('POST', '/session/logout', ['session', 'logout'])).toMatchObject({ route: { lifecycle: true } });
  });

  it('chat_jid=index is a cross-tenant query in any spelling', () => {
    expect(isCrossTenantQuery('/chat/history', new URLSearchParams('chat_jid=%49NDEX'))).toBe(true);
    expect(isCrossTenantQuery('/chat/history', new URLSearchParams('chat_jid=62811@s.whatsapp.net'))).toBe(false);
    expect(isCrossTenantQuery('/session/history', new URLSearchParams('chat_jid=index'))).toBe(false);
  });
});
