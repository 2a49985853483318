import { AppError } from '../errors.js';
import { webhookUrlProblem } from '../lib/webhook-url.js';

/** Where customer webhooks may point (SPEC §6, WEBHOOK_ALLOW_PRIVATE_TARGETS). */
export interface WebhookPolicy {
  allowPrivateTargets: boolean;
}

export function checkWebhookUrl(policy: WebhookPolicy, url: string): void {
  const problem = webhookUrlProblem(url, policy.allowPrivateTargets);
  if (problem) throw new AppError('WEBHOOK_URL_NOT_ALLOWED', problem);
}
