import pg from 'pg';

export interface DedicatedConnectionOptions {
  connectionString: string;
  /** Shown in pg_stat_activity, so an operator can tell the gateway's own connections apart. */
  name: string;
  /** DB_CONNECT_TIMEOUT_MS: the longest opening the connection may take. */
  connectTimeoutMs: number;
  /** Client-side bound on every statement: a server that stops answering costs this, not forever. */
  queryTimeoutMs: number;
}

/**
 * A PostgreSQL connection of its own, outside the pool: what a session-level advisory lock and a
 * LISTEN need, since both belong to the connection and end with it. TCP keepalives on both ends,
 * so a peer that vanished without closing its socket (a dead host, a dropped network) is noticed
 * within seconds and what it held is freed. The caller listens for `error` and `end`.
 */
export async function openDedicatedConnection(options: DedicatedConnectionOptions): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: options.connectionString,
    application_name: options.name,
    keepAlive: true,
    keepAliveInitialDelayMillis: 5_000,
    connectionTimeoutMillis: options.connectTimeoutMs,
    query_timeout: options.queryTimeoutMs,
  });
  // An error before the caller attached its own listener must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    // The server's side: a gateway host that disappears releases its lock within ~20 s (10 + 2 × 5).
    await client.query('SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 2');
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

/** A driver code (ECONNREFUSED, 57P01…) or the message: short and safe for a log line or /ready. */
export function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message.slice(0, 120) : 'failed';
}
