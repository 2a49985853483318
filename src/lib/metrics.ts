import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Pool figures of the store (`Db.stats()`), read on each scrape. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/**
 * One exchange with genfity-wa, as the provider client reports it (`provider/http.ts` ProviderObserver):
 * its duration (`forward`: until the headers), and its status or typed error.
 */
export interface ProviderCall {
  kind: 'call' | 'forward';
  method: string;
  /** The provider's HTTP status, or null when no answer came (then `error` says why). */
  status: number | null;
  /** The typed error code of a transport failure (`PROVIDER_TIMEOUT`, `PROVIDER_UNAVAILABLE`, …). */
  error: string | null;
  seconds: number;
}

export interface MetricsOptions {
  /** Read on every scrape, so the gauge is never stale. */
  storePool?: () => PoolStats;
  /** Sessions by health, read on scrape (the reader may cache): `wa_gateway_sessions{health}` (SPEC §10). */
  sessionsByHealth?: () => Promise<Record<string, number>>;
}

// Seconds. Sends are fast; connect, media and downloads may take up to PROVIDER_LONG_TIMEOUT_MS.
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** 200, 404 … as the label; a missing status (transport failure) as "none". Bounded cardinality. */
const statusLabel = (status: number | null) => (status === null ? 'none' : String(status));

type Registers = Registry[];

/**
 * `make(a, b)` once per distinct pair of label values, then the same handle (a prom-client `labels()`
 * child), found through nested maps: no labels object, string or array is made per update. Label
 * values here are bounded sets (methods, route patterns, statuses, message types, outcomes).
 */
function cachedHandles<A, B, H>(make: (a: A, b: B) => H): (a: A, b: B) => H {
  const outer = new Map<A, Map<B, H>>();
  return (a, b) => {
    let inner = outer.get(a);
    if (inner === undefined) {
      inner = new Map();
      outer.set(a, inner);
    }
    let handle = inner.get(b);
    if (handle === undefined) {
      handle = make(a, b);
      inner.set(b, handle);
    }
    return handle;
  };
}

function httpMetrics(registers: Registers) {
  const labelNames = ['method', 'route', 'status'] as const;
  return {
    requests: new Counter({
      name: 'wa_gateway_http_requests_total',
      help: 'HTTP requests answered, by route pattern and status',
      labelNames,
      registers,
    }),
    duration: new Histogram({
      name: 'wa_gateway_http_request_duration_seconds',
      help: 'Time to answer an HTTP request',
      labelNames,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
  };
}

function providerMetrics(registers: Registers) {
  return {
    duration: new Histogram({
      name: 'wa_gateway_provider_request_duration_seconds',
      help: "Time until genfity-wa answered (headers), by kind (call: the gateway's own; forward: proxied) and status",
      labelNames: ['kind', 'method', 'status'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    errors: new Counter({
      name: 'wa_gateway_provider_errors_total',
      help: 'Provider exchanges that failed: transport errors by code, 5xx answers as PROVIDER_5XX',
      labelNames: ['kind', 'error'] as const,
      registers,
    }),
  };
}

function trafficMetrics(registers: Registers) {
  return {
    sends: new Counter({
      name: 'wa_gateway_sends_total',
      labelNames: ['type', 'outcome'] as const,
      registers,
      help: 'Sends through the token gateway by message type and outcome (sent; rejected: provider 4xx; failed: provider 5xx or unreachable)',
    }),
    quota: new Counter({
      name: 'wa_gateway_quota_rejections_total',
      help: 'Sends refused because the message quota was used up',
      labelNames: ['type'] as const,
      registers,
    }),
    rateLimit: new Counter({
      name: 'wa_gateway_rate_limit_rejections_total',
      help: 'Requests refused by the public rate limiter or spam blocker',
      labelNames: ['reason'] as const,
      registers,
    }),
    webhooks: new Counter({
      name: 'wa_gateway_webhook_deliveries_total',
      help: 'Customer webhook delivery attempts by outcome (delivered; retry: failed, scheduled again; failed: given up)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    webhookQueue: new Gauge({ name: 'wa_gateway_webhook_queue_depth', help: 'Customer webhook deliveries waiting to be sent', registers }),
  };
}

function storePoolGauge(registers: Registers, read: (() => PoolStats) | undefined) {
  return new Gauge({
    name: 'wa_gateway_store_pool_connections',
    help: 'Store connections by state (total, idle, waiting clients)',
    labelNames: ['state'] as const,
    registers,
    collect() {
      if (!read) return;
      const s = read();
      this.set({ state: 'total' }, s.total);
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'waiting' }, s.waiting);
    },
  });
}

function sessionMetrics(registers: Registers, read: MetricsOptions['sessionsByHealth']) {
  return {
    sessions: new Gauge({
      name: 'wa_gateway_sessions',
      help: 'Sessions by health (healthy, disconnected, logged_out, silent, unknown), from the store: the same on every instance',
      labelNames: ['health'] as const,
      registers,
      async collect() {
        if (!read) return;
        for (const [health, n] of Object.entries(await read())) this.set({ health }, n);
      },
    }),
    checks: new Counter({
      name: 'wa_gateway_session_checks_total',
      help: "Reconciliation checks of sessions with the provider's /session/status, by outcome",
      labelNames: ['outcome'] as const,
      registers,
    }),
    streams: new Gauge({ name: 'wa_gateway_event_streams', help: 'Live event streams (SSE) open on this instance', registers }),
    dropped: new Counter({
      name: 'wa_gateway_event_streams_dropped_total',
      help: 'Live event streams ended by the gateway, by reason (slow_reader, session_deleted, subscription, shutdown)',
      labelNames: ['reason'] as const,
      registers,
    }),
  };
}

/**
 * The Prometheus registry and every metric of the gateway (SPEC §7). One registry per call, never
 * prom-client's global one, so tests can build many apps. The rest of the code base talks to the
 * typed functions below (or to the observer interfaces they satisfy), never to prom-client.
 */
export function createMetrics(options: MetricsOptions = {}) {
  const registry = new Registry();
  const http = httpMetrics([registry]);
  const provider = providerMetrics([registry]);
  const traffic = trafficMetrics([registry]);
  storePoolGauge([registry], options.storePool);
  // The send path's series by label values: prom-client's own lookup (a labels object, its hash and
  // checks) costs about a microsecond per update, several per send (issue 15).
  const providerDuration = {
    call: cachedHandles((method: string, status: number | null) => provider.duration.labels('call', method, statusLabel(status))),
    forward: cachedHandles((method: string, status: number | null) => provider.duration.labels('forward', method, statusLabel(status))),
  };
  const sends = cachedHandles((type: string, outcome: string) => traffic.sends.labels(type, outcome));
  const sessions = sessionMetrics([registry], options.sessionsByHealth);

  return {
    registry,
    contentType: registry.contentType,
    /**
     * Adds Node.js process metrics (CPU, memory, event loop, GC) beside the gateway's own. It starts
     * prom-client's event-loop and GC observers, so it is a job (deps.ts), called once.
     */
    collectProcessMetrics(): void {
      collectDefaultMetrics({ register: registry });
    },
    /** The text exposition format, collected now. */
    render: (): Promise<string> => registry.metrics(),
    /**
     * The recorder of one route's answered requests; `route` is the route pattern
     * (`/v1/sessions/:session_id`), never the raw URL. Made once per route (http/request-metrics.ts).
     */
    httpRoute(route: string): (method: string, status: number, seconds: number) => void {
      const handles = cachedHandles((method: string, status: number) => {
        const labels = { method, route, status: String(status) };
        return { requests: http.requests.labels(labels), duration: http.duration.labels(labels) };
      });
      return (method, status, seconds) => {
        const h = handles(method, status);
        h.requests.inc();
        h.duration.observe(seconds);
      };
    },
    /** ProviderObserver (`provider/http.ts`). */
    providerCall(c: ProviderCall): void {
      providerDuration[c.kind](c.method, c.status).observe(c.seconds);
      if (c.error) provider.errors.inc({ kind: c.kind, error: c.error });
      else if (c.status !== null && c.status >= 500) provider.errors.inc({ kind: c.kind, error: 'PROVIDER_5XX' });
    },
    /** GatewayObserver (`services/gateway.ts`): a send went through the gateway. */
    sendFinished(type: string, outcome: string): void {
      sends(type, outcome).inc();
    },
    /** GatewayObserver: a send was refused with 429 QUOTA_EXCEEDED. */
    quotaRejected(type: string): void {
      traffic.quota.inc({ type });
    },
    /** For the public limiter (http/rate-limit.ts): `rate`, `spam`, `blocked` for an address; `user_rate`, `user_spam` for a tenant. */
    rateLimitRejected(reason: string): void {
      traffic.rateLimit.inc({ reason });
    },
    /** DeliveryObserver (`services/webhook-attempt.ts`): `delivered`, `retry` (scheduled again) or `failed` (given up). */
    webhookDelivered(outcome: string): void {
      traffic.webhooks.inc({ outcome });
    },
    /** For the webhook outbox job: deliveries waiting (due, or scheduled for a retry). */
    setWebhookQueueDepth(n: number): void {
      traffic.webhookQueue.set(n);
    },
    /** For the reconciliation job: one status check and what it came to. */
    sessionChecked(outcome: string): void {
      sessions.checks.inc({ outcome });
    },
    /** For live event streams: how many are open here now. */
    setEventStreams(n: number): void {
      sessions.streams.set(n);
    },
    /** For live event streams: one ended by the gateway, and why. */
    eventStreamDropped(reason: string): void {
      sessions.dropped.inc({ reason });
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
