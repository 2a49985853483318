import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { parseDurationList } from './lib/duration.js';
import { invalidAddressEntries, type TrustProxy } from './lib/client-ip.js';
import { parseInternalKeys, type InternalKey } from './lib/internal-keys.js';

const Int = (min: number, fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  Type.Integer({ minimum: min, maximum: max, default: fallback });
const Text = () => Type.Optional(Type.String({ minLength: 1 }));
const LogLevel = Type.Union(
  ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
  { default: 'info' },
);

/** The environment, by the names of SPEC §2 and §9. Every value arrives as a string and is converted. */
export const EnvSchema = Type.Object({
  PORT: Int(1, 8070, 65535),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0' }),
  DATABASE_URL: Text(),
  DB_HOST: Text(),
  DB_PORT: Type.Optional(Int(1, 5432, 65535)),
  DB_USER: Text(),
  DB_PASSWORD: Type.Optional(Type.String()),
  DB_NAME: Text(),
  DB_SSLMODE: Type.Optional(Type.Union(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'].map((m) => Type.Literal(m)))),
  DB_CONNECT_TIMEOUT_MS: Int(100, 5_000, 600_000),
  DB_QUERY_TIMEOUT_MS: Int(100, 5_000, 600_000),
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  WA_SERVER_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$' })),
  WA_ADMIN_TOKEN: Text(),
  INTERNAL_API_KEYS: Type.String({ default: '' }),
  PUBLIC_RATE_LIMIT_WINDOW_SECONDS: Int(1, 60),
  PUBLIC_RATE_LIMIT_MAX_REQUEST: Int(1, 120),
  PUBLIC_SPAM_MAX_PER_10S: Int(1, 40),
  PUBLIC_SPAM_BLOCK_MINUTES: Int(0, 10),
  RATE_LIMIT_EXEMPT_IPS: Text(),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  REDIS_KEY_PREFIX: Type.String({ minLength: 1, maxLength: 64, default: 'wa-gw:' }),
  EXPIRY_SWEEP_CRON: Type.String({ minLength: 9, default: '* * * * *' }),
  TRUST_PROXY: Text(),
  GATEWAY_PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$' })),
  WA_GLOBAL_HMAC_KEY: Text(),
  WEBHOOK_RETRY_SCHEDULE: Type.String({ default: '5s,30s,2m,10m,30m,1h,3h,6h,12h,24h' }),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: Type.Boolean({ default: false }),
  WEBHOOK_TIMEOUT_MS: Int(100, 10_000),
  WEBHOOK_CONCURRENCY: Int(1, 64, 1024),
  WEBHOOK_TENANT_CONCURRENCY: Int(1, 8, 1024),
  WEBHOOK_AUTH_FAILURE_LIMIT: Int(1, 20),
  WEBHOOK_AUTH_BLOCK_MINUTES: Int(0, 10),
  WEBHOOK_RETENTION_HOURS: Int(1, 168),
  RELAY_REPOINT_RATE: Int(1, 5, 1000),
  ENCRYPTION_KEY: Text(),
  LOG_LEVEL: LogLevel,
  METRICS_TOKEN: Text(),
  PROVIDER_TIMEOUT_MS: Int(100, 15_000),
  PROVIDER_LONG_TIMEOUT_MS: Int(100, 120_000),
  PROVIDER_MAX_ANSWER_BYTES: Int(1024, 1024 * 1024),
  PROVIDER_CONTACTS_MAX_BYTES: Int(1024, 32 * 1024 * 1024),
  GATEWAY_MAX_BODY_BYTES: Int(1024, 64 * 1024 * 1024),
  GATEWAY_USER_BUFFER_BYTES: Int(1024, 128 * 1024 * 1024),
  REQUEST_BODY_TIMEOUT_MS: Int(100, 60_000),
  API_MAX_BODY_BYTES: Int(1024, 1024 * 1024),
  SHUTDOWN_TIMEOUT_MS: Int(0, 15_000),
  PROVIDER_LIFECYCLE_WAIT_MS: Int(0, 30_000),
  IDEMPOTENCY_TTL: Type.String({ minLength: 2, default: '24h' }),
  IDEMPOTENCY_WAIT_MS: Int(0, 10_000),
  // Usage history (SPEC §10): Asia/Jakarta days kept, today included; at least the longest range a read covers.
  USAGE_RETENTION_DAYS: Int(1, 400, 36_600),
  // Session health and live events (SPEC §10, issue 16).
  SESSION_SILENT_AFTER: Type.String({ minLength: 2, default: '6h' }),
  SESSION_CHECK_INTERVAL: Type.String({ minLength: 2, default: '5m' }),
  SESSION_CHECK_RATE: Int(1, 20, 1000),
  SESSION_CHECK_CONCURRENCY: Int(1, 8, 256),
  EVENT_STREAMS_PER_USER: Int(1, 5, 1000),
  EVENT_STREAMS_MAX: Int(1, 1000, 100_000),
  EVENT_STREAM_BUFFER_BYTES: Int(16 * 1024, 1024 * 1024, 64 * 1024 * 1024),
  AUDIT_RETENTION_DAYS: Int(1, 400, 36_500),
});
export type Env = Static<typeof EnvSchema>;

/** Names whose values must never be echoed, not even in a start-up error. */
const SECRET_NAMES = new Set([
  'DATABASE_URL',
  'DB_PASSWORD',
  'WA_ADMIN_TOKEN',
  'INTERNAL_API_KEYS',
  'WA_GLOBAL_HMAC_KEY',
  'ENCRYPTION_KEY',
  'METRICS_TOKEN',
  'REDIS_URL',
]);

/**
 * How long PostgreSQL may keep the gateway waiting (issue 11 §8): `connectTimeoutMs` to open a
 * connection or get one from the pool, `queryTimeoutMs` for one statement (and for a pause inside a
 * transaction). The embedded store runs in-process and has no use for them.
 */
export interface StoreTimeouts {
  connectTimeoutMs: number;
  queryTimeoutMs: number;
}
export type StoreTarget = { kind: 'postgres'; connectionString: string } | { kind: 'pglite'; dataDir: string };

export interface Config {
  env: Env;
  store: StoreTarget;
  storeTimeouts: StoreTimeouts;
  internalKeys: InternalKey[];
  trustProxy: TrustProxy;
  /** RATE_LIMIT_EXEMPT_IPS: client addresses (IPs/CIDRs) the public limits never count or refuse. */
  rateLimitExemptIps: string[];
  webhookRetryScheduleMs: number[];
  encryptionKey: Buffer | undefined;
  /** IDEMPOTENCY_TTL in milliseconds. */
  idempotencyTtlMs: number;
  /** SESSION_SILENT_AFTER and SESSION_CHECK_INTERVAL in milliseconds. */
  sessionHealth: { silentAfterMs: number; checkIntervalMs: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** Reads `.env` (if present) under the process environment, which wins, as the Go service did. */
export function readEnvironment(cwd = process.cwd()): Record<string, string | undefined> {
  const file = resolve(cwd, '.env');
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...process.env };
}

/** Parses and checks every variable; throws one ConfigError listing every bad one. */
export function loadConfig(raw: Record<string, string | undefined>): Readonly<Config> {
  const known = Object.fromEntries(
    Object.keys(EnvSchema.properties)
      .filter((name) => raw[name] !== undefined && raw[name] !== '')
      .map((name) => [name, raw[name]]),
  );
  const env = Value.Convert(EnvSchema, Value.Default(EnvSchema, known)) as Env;
  const problems = schemaProblems(env);
  const derived = deriveSettings(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ env: Object.freeze(env), ...derived });
}

function schemaProblems(env: Env): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const error of Value.Errors(EnvSchema, env)) {
    const name = error.instancePath.replace(/^\//, '');
    if (seen.has(name)) continue;
    seen.add(name);
    const shown = SECRET_NAMES.has(name) ? '' : ` (got ${JSON.stringify((env as Record<string, unknown>)[name])})`;
    problems.push(`${name}: ${error.message}${shown}`);
  }
  return problems;
}

function deriveSettings(env: Env, problems: string[]): Omit<Config, 'env'> {
  const keys = parseInternalKeys(env.INTERNAL_API_KEYS ?? '');
  problems.push(...keys.problems.map((p) => `INTERNAL_API_KEYS: ${p}`));
  const schedule = parseDurationList(env.WEBHOOK_RETRY_SCHEDULE);
  if (!schedule.ok) problems.push(`WEBHOOK_RETRY_SCHEDULE: ${schedule.problem}`);
  const ttl = parseDurationList(env.IDEMPOTENCY_TTL);
  if (!ttl.ok || ttl.values.length !== 1 || ttl.values[0]! < 1_000)
    problems.push('IDEMPOTENCY_TTL: one duration of at least 1s, like 30m, 24h or 7d');
  return {
    store: storeTarget(env),
    storeTimeouts: { connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS, queryTimeoutMs: env.DB_QUERY_TIMEOUT_MS },
    internalKeys: keys.keys,
    trustProxy: parseTrustProxy(env.TRUST_PROXY, problems),
    rateLimitExemptIps: parseExemptIps(env.RATE_LIMIT_EXEMPT_IPS, problems),
    webhookRetryScheduleMs: schedule.ok ? schedule.values : [],
    encryptionKey: parseEncryptionKey(env.ENCRYPTION_KEY, problems),
    idempotencyTtlMs: ttl.ok ? (ttl.values[0] ?? 0) : 0,
    sessionHealth: {
      silentAfterMs: oneDuration(env, 'SESSION_SILENT_AFTER', 60_000, problems),
      checkIntervalMs: oneDuration(env, 'SESSION_CHECK_INTERVAL', 1_000, problems),
    },
  };
}

/** One duration with a unit (`30s`, `5m`, `6h`) of at least `minMs`. */
function oneDuration(env: Env, name: 'SESSION_SILENT_AFTER' | 'SESSION_CHECK_INTERVAL', minMs: number, problems: string[]): number {
  const parsed = parseDurationList(env[name]);
  const value = parsed.ok && parsed.values.length === 1 ? parsed.values[0]! : 0;
  if (value < minMs) problems.push(`${name}: one duration of at least ${minMs / 1000}s, like 30s, 5m or 6h`);
  return value;
}

/** DATABASE_URL wins over DB_* (SPEC §9); with neither, the embedded store in DATA_DIR. */
function storeTarget(env: Env): StoreTarget {
  if (env.DATABASE_URL) return { kind: 'postgres', connectionString: env.DATABASE_URL };
  if (env.DB_HOST || env.DB_NAME) {
    const url = new URL('postgres://localhost');
    url.hostname = env.DB_HOST ?? 'localhost';
    url.port = String(env.DB_PORT ?? 5432);
    url.username = encodeURIComponent(env.DB_USER ?? 'postgres');
    url.password = encodeURIComponent(env.DB_PASSWORD ?? '');
    url.pathname = `/${encodeURIComponent(env.DB_NAME ?? 'postgres')}`;
    if (env.DB_SSLMODE) url.searchParams.set('sslmode', env.DB_SSLMODE);
    return { kind: 'postgres', connectionString: url.toString() };
  }
  return { kind: 'pglite', dataDir: resolve(env.DATA_DIR, 'pgdata') };
}

function parseTrustProxy(value: string | undefined, problems: string[]): TrustProxy {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !isIpOrCidr(e));
  if (bad.length > 0) problems.push(`TRUST_PROXY: not an IP address or CIDR: ${bad.join(', ')}`);
  return entries;
}

/** Checked by the same code that matches them (lib/client-ip.ts), so what starts is what matches. */
function parseExemptIps(value: string | undefined, problems: string[]): string[] {
  const entries = (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = invalidAddressEntries(entries);
  if (bad.length > 0) problems.push(`RATE_LIMIT_EXEMPT_IPS: not an IP address or CIDR: ${bad.join(', ')}`);
  return entries;
}

function isIpOrCidr(entry: string): boolean {
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return Number.isInteger(n) && n >= 0 && n <= (family === 4 ? 32 : 128);
}

function parseEncryptionKey(value: string | undefined, problems: string[]): Buffer | undefined {
  if (value === undefined) return undefined;
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) {
    problems.push('ENCRYPTION_KEY: must be 32 bytes, as 64 hex characters or base64');
    return undefined;
  }
  return key;
}
