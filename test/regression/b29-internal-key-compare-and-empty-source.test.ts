/**
 * B29 (go-service-api §12, security.go:75, 85): "Internal keys are compared with ordinary string equality,
 * not in constant time. A scoped entry with an empty source (`:key`) is "scoped" to `""`, which lists all
 * users (internal.go:63-78) but can never create any (body `source` is required)."
 *
 * Gateway: an entry with an empty source (or an empty key) is refused at start-up, naming the entry but
 * never echoing the key; keys are compared in constant time over their SHA-256 (timing is not asserted
 * here: what is pinned is that only the exact value opens, whatever its length, and that the `name:`
 * part is not part of the key).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createTestApp, GLOBAL_KEY, internal, SCOPED_KEY, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const problemsOf = (keys: string) => {
  try {
    loadConfig({ INTERNAL_API_KEYS: keys });
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
};

describe('B29: internal keys', () => {
  it.each([':secret-value', 'app:good-key, :secret-value', 'app:'])('INTERNAL_API_KEYS=%j is refused at start-up', (keys) => {
    const problems = problemsOf(keys);
    expect(problems).not.toBeNull();
    expect(problems!.join('\n')).toMatch(/INTERNAL_API_KEYS: entry \d+ has an empty (source name|key)/);
    expect(problems!.join('\n')).not.toContain('secret-value');
  });

  it('scoped and global entries load', () => {
    expect(loadConfig({ INTERNAL_API_KEYS: 'app:k1, g1' }).internalKeys).toEqual([
      { source: 'app', value: 'k1' },
      { source: null, value: 'g1' },
    ]);
  });

  it('only the exact key value opens /internal; prefixes, extensions, other lengths and name:value do not', async () => {
    expect((await t.app.inject({ url: '/internal/me', headers: internal(SCOPED_KEY) })).json()).toEqual({
      auth: { mode: 'scoped', source_service: 'app' },
    });
    for (const wrong of [SCOPED_KEY.slice(0, -1), `${SCOPED_KEY}x`, `app:${SCOPED_KEY}`, GLOBAL_KEY.toUpperCase(), 'x'.repeat(4096)]) {
      const res = await t.app.inject({ url: '/internal/users', headers: internal(wrong) });
      expect(res.statusCode, wrong.slice(0, 20)).toBe(401);
      expect(res.json()).toEqual({ message: 'invalid internal api key', code: 'INTERNAL_KEY_INVALID' });
    }
  });
});
