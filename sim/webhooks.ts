import { createHmac, randomBytes } from 'node:crypto';
import { Agent, fetch } from 'undici';
import { goFormEncode, goMarshal } from './go-json.js';
import { ACTIVE_EVENT_TYPES } from './state.js';
import type { UserStore } from './state.js';
import type { Delivery, SimUser, SimulatorConfig } from './types.js';

interface DispatcherDeps {
  config: SimulatorConfig;
  store: UserStore;
}

type Postmap = Record<string, unknown>;

/**
 * Outbound webhooks as contract §7 describes them: filter by the session's subscription (read from the
 * token cache), then POST to the session webhook and to the global webhook, each independently, with
 * retries on any non-2xx or transport error. Failures are recorded, never thrown.
 */
export function createWebhookDispatcher({ config, store }: DispatcherDeps) {
  const deliveries: Delivery[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<() => void>();
  // The provider trusts any certificate on webhook targets (wmiau.go:441-484, InsecureSkipVerify).
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  // Without a configured key the provider signs with a random one generated at start (main.go:343-372).
  const randomGlobalKey = randomBytes(32).toString('hex');

  function emit(user: SimUser, postmap: Postmap, clientToken = user.row.token): boolean {
    const cache = store.tokenCache.get(clientToken) === user ? user.cache : null;
    const type = String(postmap['type']);
    if (user.session.silent) return false;
    if (!isSubscribed(cache?.events ?? user.row.events, type)) return false;
    const jsonData = goMarshal(postmap);
    const fields = { jsonData, userID: user.row.id, instanceName: cache?.name ?? '' };
    if (cache?.webhook) attempt(cache.webhook, 'user', type, fields, cache.hmacKey, 1);
    if (config.globalWebhookUrl) {
      attempt(config.globalWebhookUrl, 'global', type, fields, config.globalHmacKey ?? randomGlobalKey, 1);
    }
    return true;
  }

  function attempt(
    url: string,
    target: Delivery['target'],
    type: string,
    fields: Record<string, string>,
    key: string | null,
    n: number,
  ): void {
    const { body, contentType } = encodeBody(fields, config.webhookFormat);
    const headers: Record<string, string> = {
      'Content-Type': contentType,
      'User-Agent': 'go-resty/2.16.5 (https://github.com/go-resty/resty)',
    };
    if (key) headers['x-hmac-signature'] = createHmac('sha256', key).update(body).digest('hex');
    const delivery: Delivery = { url, target, eventType: type, attempt: n, headers, body };
    deliveries.push(delivery);
    void post(delivery).then(() => {
      notify();
      const failed = delivery.error !== undefined || (delivery.status ?? 0) < 200 || (delivery.status ?? 0) > 299;
      if (failed && n < config.webhookRetryCount) scheduleRetry(url, target, type, fields, key, n);
    });
  }

  function scheduleRetry(
    url: string,
    target: Delivery['target'],
    type: string,
    fields: Record<string, string>,
    key: string | null,
    n: number,
  ): void {
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        attempt(url, target, type, fields, key, n + 1);
      },
      config.webhookRetryDelayMs * 2 ** (n - 1),
    );
    timer.unref();
    timers.add(timer);
  }

  async function post(delivery: Delivery): Promise<void> {
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
        redirect: 'follow',
        dispatcher: agent,
        signal: AbortSignal.timeout(config.webhookTimeoutMs),
      });
      delivery.status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      delivery.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }

  function notify(): void {
    for (const waiter of [...waiters]) waiter();
  }

  /** Resolves with the first finished delivery that matches, waiting up to `timeoutMs`. */
  function waitForDelivery(match: (d: Delivery) => boolean = () => true, timeoutMs = 5000): Promise<Delivery> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = deliveries.find((d) => (d.status !== undefined || d.error !== undefined) && match(d));
        if (!found) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no matching webhook delivery within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      if (!check()) waiters.add(check);
    });
  }

  async function close(): Promise<void> {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    await agent.close().catch(() => undefined);
  }

  return { deliveries, emit, waitForDelivery, close };
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;

/** An event passes when its type, or `All`, is in the stored list filtered by activeEventTypes. */
function isSubscribed(events: string, type: string): boolean {
  const subscribed = events
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e && ACTIVE_EVENT_TYPES.includes(e));
  return subscribed.includes(type) || subscribed.includes('All');
}

/**
 * form (default): jsonData/userID/instanceName, url.Values.Encode(). json: jsonData parsed and the two
 * other fields merged into its top level, then json.Marshal (helpers.go:281-327). The signature covers
 * exactly these bytes, so a receiver verifies over the raw body.
 */
export function encodeBody(fields: Record<string, string>, format: string): { body: string; contentType: string } {
  if (format === 'json') {
    const merged = { ...(JSON.parse(fields['jsonData'] ?? '{}') as Postmap) };
    merged['instanceName'] = fields['instanceName'];
    merged['userID'] = fields['userID'];
    return { body: goMarshal(merged), contentType: 'application/json' };
  }
  return { body: goFormEncode(fields), contentType: 'application/x-www-form-urlencoded' };
}
