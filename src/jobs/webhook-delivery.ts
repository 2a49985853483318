import type { WebhookDelivery } from '../services/webhook-delivery.js';
import type { WebhookInbound } from '../services/webhook-inbound.js';

export interface WebhookJobOptions {
  delivery: Pick<WebhookDelivery, 'runOnce'>;
  inbound: Pick<WebhookInbound, 'recover'>;
  prune: () => Promise<void>;
  /** Reads and publishes the outbox depth (metrics), now and then. */
  reportDepth?: () => Promise<void>;
  log: { error(obj: object, msg: string): void };
  idleMs?: number;
  recoverEveryMs?: number;
  pruneEveryMs?: number;
}

/**
 * Works the webhook outbox: rounds back to back while there is work, a short pause when there is
 * none, an immediate round when `nudge` says something was queued. Also re-processes events a crash
 * left behind and prunes old records. `stop` waits for the round in progress.
 */
export function startWebhookJob(o: WebhookJobOptions) {
  let stopped = false;
  let wake: (() => void) | null = null;
  let lastRecover = 0;
  let lastPrune = 0;
  let lastDepth = 0;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      timer.unref();
      wake = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
    });

  async function housekeeping(now: number) {
    if (now - lastRecover >= (o.recoverEveryMs ?? 30_000)) {
      lastRecover = now;
      await o.inbound.recover(30_000).catch((err: unknown) => o.log.error({ err }, 'webhook event recovery failed'));
    }
    if (o.reportDepth && now - lastDepth >= 5_000) {
      lastDepth = now;
      await o.reportDepth().catch((err: unknown) => o.log.error({ err }, 'webhook queue depth unavailable'));
    }
    if (now - lastPrune >= (o.pruneEveryMs ?? 3_600_000)) {
      lastPrune = now;
      await o.prune().catch((err: unknown) => o.log.error({ err }, 'webhook record pruning failed'));
    }
  }

  const loop = (async () => {
    while (!stopped) {
      let worked = 0;
      try {
        worked = await o.delivery.runOnce();
        await housekeeping(Date.now());
      } catch (err) {
        o.log.error({ err }, 'webhook delivery round failed');
      }
      if (!stopped && worked === 0) await pause(o.idleMs ?? 1_000);
    }
  })();

  return {
    nudge: () => wake?.(),
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
