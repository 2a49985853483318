import { randomUUID } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { vi } from 'vitest';
import type { PublicLimiter } from '../../src/limits/limiter.js';

/** CI starts Redis here (.ci/run); these suites are never skipped. */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** One prefix per test file run, so parallel files and earlier runs never share a counter. */
export function createRunPrefix(): { next(): string; root: string } {
  const root = `wa-gw-test:${randomUUID()}:`;
  let n = 0;
  return { root, next: () => `${root}${++n}:` };
}

export function connectRedis(url = REDIS_URL, options: RedisOptions = {}): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1, ...options });
  // A client that cannot connect emits `error` on every attempt; the limiter reads `status` instead.
  client.on('error', () => {});
  return client;
}

export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  const keys = await client.keys(`${prefix}*`);
  if (keys.length > 0) await client.del(...keys);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  await vi.waitFor(
    () => {
      if (!check()) throw new Error('condition not met yet');
    },
    { timeout: timeoutMs, interval: 10 },
  );
}

export async function consumeMany(limiter: PublicLimiter, key: string, count: number) {
  const decisions = [];
  for (let i = 0; i < count; i += 1) decisions.push(await limiter.consumeAddress(key));
  return decisions;
}

export async function consumeUserMany(limiter: PublicLimiter, userId: string, count: number) {
  const decisions = [];
  for (let i = 0; i < count; i += 1) decisions.push(await limiter.consumeUser(userId));
  return decisions;
}

/**
 * A TCP relay in front of Redis that a test can cut (connections dropped, port closed) or stall
 * (Redis' answers held back, order kept), to play an outage and a hung server without touching
 * the shared Redis.
 */
export interface RedisRelay {
  port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  stall(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startRedisRelay(target = new URL(REDIS_URL)): Promise<RedisRelay> {
  const sockets = new Set<Socket>();
  const held: Array<() => void> = [];
  let stalled = false;
  const relay = (client: Socket) => {
    const upstream = createConnectionTo(target);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (stalled) held.push(() => client.write(chunk));
      else client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
  };
  let server: Server = createServer(relay);
  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;
  const cut = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    port,
    cut,
    restore: async () => {
      server = createServer(relay);
      await listen(server, port);
    },
    stall: () => {
      stalled = true;
    },
    resume: () => {
      stalled = false;
      for (const write of held.splice(0)) write();
    },
    close: async () => {
      if (server.listening) await cut();
      else for (const s of sockets) s.destroy();
    },
  };
}

function createConnectionTo(target: URL): Socket {
  return connect(Number(target.port || 6379), target.hostname);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
