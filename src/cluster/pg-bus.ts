import type pg from 'pg';
import type { Clock } from '../lib/clock.js';
import { type BusLogger, busEnds, type ClusterBus, createSubscribers } from './bus.js';
import { openDedicatedConnection, reasonOf } from './pg-connection.js';

/** NOTIFY reaches every session of the database that LISTENs: one database is one cluster. */
const PHYSICAL_CHANNEL = 'wa_gateway_bus';
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 10_000;
// An idle LISTEN connection only finds out it is dead when it is used: ask it something now and then.
const HEARTBEAT_MS = 15_000;

export interface PgBusOptions {
  connectionString: string;
  /** DB_CONNECT_TIMEOUT_MS and DB_QUERY_TIMEOUT_MS, as the pool has them. */
  timeouts: { connectTimeoutMs: number; queryTimeoutMs: number };
  /** Runs one statement on the store's pool: publishing needs no dedicated connection and works while the listener reconnects. */
  query: (text: string, params: unknown[]) => Promise<unknown>;
  /** This instance, as messages name it. */
  origin: string;
  /** When an outage began (readiness shows it). */
  clock: Clock;
  logger?: BusLogger;
}

/**
 * The bus on PostgreSQL LISTEN/NOTIFY (cluster/bus.ts). Publishing is one `pg_notify` on the pool;
 * listening is one dedicated connection, opened by the first subscribe and reopened after a loss
 * with a backoff of 250 ms doubling to 10 s. While it is down `health` says so and messages from
 * other instances are missed.
 */
export function createPgBus(options: PgBusOptions): ClusterBus {
  const subscribers = createSubscribers(options.origin, options.logger);
  /** The connection being opened or listening; events of an older one are ignored. */
  let current: pg.Client | null = null;
  let listening = false;
  let started = false;
  let closed = false;
  let retryMs = RETRY_MIN_MS;
  let retryTimer: NodeJS.Timeout | null = null;
  let heartbeat: NodeJS.Timeout | null = null;
  let down: { since: Date; reason: string } | null = null;

  async function listen(): Promise<void> {
    retryTimer = null;
    let own: pg.Client | null = null;
    try {
      own = await openDedicatedConnection({
        connectionString: options.connectionString,
        name: 'wa-gateway bus',
        connectTimeoutMs: options.timeouts.connectTimeoutMs,
        queryTimeoutMs: options.timeouts.queryTimeoutMs,
      });
      current = own;
      own.on('notification', (m) => {
        if (m.channel === PHYSICAL_CHANNEL && m.payload) subscribers.deliver(m.payload);
      });
      own.on('error', (error) => lost(own, error));
      own.on('end', () => lost(own, new Error('connection ended')));
      await own.query(`LISTEN ${PHYSICAL_CHANNEL}`);
      if (closed) return void own.end().catch(() => undefined);
      listening = true;
      retryMs = RETRY_MIN_MS;
      if (down) options.logger?.info({ downSince: down.since }, 'cluster bus listening again (PostgreSQL)');
      down = null;
    } catch (error) {
      lost(own, error);
    }
  }

  /** Once per outage in the log; the next attempt is scheduled once however many errors a dying connection emits. */
  function lost(client: pg.Client | null, error: unknown): void {
    if (client && client !== current) return;
    current = null;
    listening = false;
    void client?.end().catch(() => undefined);
    if (closed || retryTimer) return;
    if (!down) {
      down = { since: options.clock.now(), reason: reasonOf(error) };
      options.logger?.warn(
        { reason: down.reason },
        'cluster bus not listening (PostgreSQL): messages from other instances are missed until it is back',
      );
    }
    retryTimer = setTimeout(() => void listen(), retryMs);
    retryTimer.unref();
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  }

  function start(): void {
    if (started || closed) return;
    started = true;
    void listen();
    heartbeat = setInterval(() => {
      const client = listening ? current : null;
      client?.query('SELECT 1').catch((error: unknown) => lost(client, error));
    }, HEARTBEAT_MS);
    heartbeat.unref();
  }

  return {
    ...busEnds(options.origin, subscribers, {
      send: async (raw) => void (await options.query('SELECT pg_notify($1, $2)', [PHYSICAL_CHANNEL, raw])),
      listen: start,
    }),
    health() {
      if (!started || listening) return { mode: 'postgres', ok: true };
      const reason = down ? `${down.reason} since ${down.since.toISOString()}` : 'connecting';
      return { mode: 'postgres', ok: false, detail: `not listening (${reason}); retrying` };
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (heartbeat) clearInterval(heartbeat);
      const client = current;
      current = null;
      listening = false;
      await client?.end().catch(() => undefined);
    },
  };
}
