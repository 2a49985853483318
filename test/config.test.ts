import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('applies the defaults of SPEC §2 and §9 on an empty environment (embedded store)', () => {
    const config = loadConfig({});
    expect(config.env).toMatchObject({
      PORT: 8070,
      HOST: '0.0.0.0',
      DATA_DIR: './data',
      LOG_LEVEL: 'info',
      PUBLIC_RATE_LIMIT_WINDOW_SECONDS: 60,
      PUBLIC_RATE_LIMIT_MAX_REQUEST: 120,
      PUBLIC_SPAM_MAX_PER_10S: 40,
      PUBLIC_SPAM_BLOCK_MINUTES: 10,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: false,
      GATEWAY_MAX_BODY_BYTES: 64 * 1024 * 1024,
    });
    expect(config.store.kind).toBe('pglite');
    expect(config.webhookRetryScheduleMs).toEqual([
      5e3,
      30e3,
      120e3,
      600e3,
      1800e3,
      3600e3,
      3 * 3600e3,
      6 * 3600e3,
      12 * 3600e3,
      24 * 3600e3,
    ]);
    expect(config.trustProxy).toBe(false);
    expect(config.internalKeys).toEqual([]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the many-instances settings (issue 13): lifecycle wait, Idempotency-Key TTL and wait', () => {
    const defaults = loadConfig({});
    expect(defaults.env).toMatchObject({ PROVIDER_LIFECYCLE_WAIT_MS: 30_000, IDEMPOTENCY_WAIT_MS: 10_000 });
    expect(defaults.idempotencyTtlMs).toBe(24 * 3600e3);
    expect(loadConfig({ IDEMPOTENCY_TTL: '7d' }).idempotencyTtlMs).toBe(7 * 24 * 3600e3);
    for (const bad of ['24', '1h,2h', '500ms', 'forever'])
      expect(() => loadConfig({ IDEMPOTENCY_TTL: bad }), bad).toThrow(/IDEMPOTENCY_TTL/);
  });

  it('builds a PostgreSQL URL from DB_* and lets DATABASE_URL win', () => {
    const fromParts = loadConfig({
      DB_HOST: 'db.internal',
      DB_PORT: '6432',
      DB_USER: 'wa',
      DB_PASSWORD: 'p@ss word',
      DB_NAME: 'wa_support',
      DB_SSLMODE: 'disable',
    });
    expect(fromParts.store).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://wa:p%40ss%20word@db.internal:6432/wa_support?sslmode=disable',
    });
    const url = loadConfig({ DATABASE_URL: 'postgres://a@b/c', DB_HOST: 'ignored' });
    expect(url.store).toEqual({ kind: 'postgres', connectionString: 'postgres://a@b/c' });
  });

  it('parses scoped and global internal keys; the client sends only the value', () => {
    expect(loadConfig({ INTERNAL_API_KEYS: 'service-a:keyA, service-b:key:with:colons ,globalKey,' }).internalKeys).toEqual([
      { source: 'service-a', value: 'keyA' },
      { source: 'service-b', value: 'key:with:colons' },
      { source: null, value: 'globalKey' },
    ]);
  });

  it('fails listing every bad variable at once, without echoing secrets', () => {
    try {
      loadConfig({
        PORT: 'eighty',
        PUBLIC_RATE_LIMIT_MAX_REQUEST: '0',
        LOG_LEVEL: 'loud',
        INTERNAL_API_KEYS: ':orphan-secret',
        WEBHOOK_RETRY_SCHEDULE: '5s,soon',
        TRUST_PROXY: '10.0.0.0/8,not-an-ip',
        ENCRYPTION_KEY: 'short-secret',
        WA_SERVER_URL: 'ftp://x',
        WEBHOOK_ALLOW_PRIVATE_TARGETS: 'maybe',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of [
        'PORT',
        'PUBLIC_RATE_LIMIT_MAX_REQUEST',
        'LOG_LEVEL',
        'INTERNAL_API_KEYS',
        'WEBHOOK_RETRY_SCHEDULE',
        'TRUST_PROXY',
        'ENCRYPTION_KEY',
        'WA_SERVER_URL',
        'WEBHOOK_ALLOW_PRIVATE_TARGETS',
      ])
        expect(problems).toContain(name);
      expect(problems).not.toContain('orphan-secret');
      expect(problems).not.toContain('short-secret');
    }
  });

  it('accepts TRUST_PROXY as true or a list, and a 32-byte key as hex or base64', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1' }).trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
    const hex = 'ab'.repeat(32);
    expect(loadConfig({ ENCRYPTION_KEY: hex }).encryptionKey?.length).toBe(32);
    expect(loadConfig({ ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }).encryptionKey?.length).toBe(32);
  });

  it('reads RATE_LIMIT_EXEMPT_IPS as a list of IPs/CIDRs (unset: none) and names every bad entry', () => {
    expect(loadConfig({}).rateLimitExemptIps).toEqual([]);
    expect(loadConfig({ RATE_LIMIT_EXEMPT_IPS: ' 10.20.0.5, 192.168.10.0/24 ,2001:db8::/32,' }).rateLimitExemptIps).toEqual([
      '10.20.0.5',
      '192.168.10.0/24',
      '2001:db8::/32',
    ]);
    expect(() => loadConfig({ RATE_LIMIT_EXEMPT_IPS: '10.0.0.1,10.0.0.0/33,office' })).toThrow(
      /RATE_LIMIT_EXEMPT_IPS: not an IP address or CIDR: 10\.0\.0\.0\/33, office/,
    );
  });
});
