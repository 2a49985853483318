import { AppError } from '../errors.js';
import { webhookUrlProblem } from '../lib/webhook-url.js';
import type { RelayConfig } from './relay-mode.js';

/** Where customer webhooks may point (SPEC §6, WEBHOOK_ALLOW_PRIVATE_TARGETS). */
export interface WebhookPolicy {
  allowPrivateTargets: boolean;
}

/** Where a session's webhooks go (SPEC §6): through the relay when it is on, and to which customer URLs. */
export interface WebhookRouting {
  relay: RelayConfig;
  webhooks: WebhookPolicy;
}

export function checkWebhookUrl(policy: WebhookPolicy, url: string): void {
  const problem = webhookUrlProblem(url, policy.allowPrivateTargets);
  if (problem) throw new AppError('WEBHOOK_URL_NOT_ALLOWED', problem);
}
