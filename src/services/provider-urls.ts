import { AppError } from '../errors.js';
import { goKeyMatches } from '../lib/json.js';
import { isPrivateHost } from '../lib/webhook-url.js';
import type { ProviderUrlField } from '../provider/user-routes.js';
import { checkWebhookUrl, type WebhookPolicy } from './webhook-policy.js';

/**
 * Addresses a customer hands genfity-wa through the token gateway, which genfity-wa then connects to
 * itself (issue 11 item 6): a webhook URL (POST/PUT /webhook) gets the policy of `/v1/sessions`, a proxy
 * (`/session/proxy`) or S3 endpoint (`/session/s3/config`) must not name a private or loopback host,
 * unless WEBHOOK_ALLOW_PRIVATE_TARGETS allows both. Keys are matched as Go's encoding/json matches
 * them (any case), every one of them, so a second spelling cannot slip past; a body the gateway cannot
 * read as JSON is refused rather than forwarded, since Go's decoder may still read a first value of it.
 */
export function checkProviderUrls(policy: WebhookPolicy, fields: readonly ProviderUrlField[], body: Buffer | null): void {
  if (!body || body.length === 0) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('INVALID_JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return;
  for (const [key, value] of Object.entries(parsed)) {
    const field = fields.find((f) => goKeyMatches(key, f.name));
    // Another type is a decode error for the provider, and an empty value sets nothing (or clears).
    if (!field || typeof value !== 'string' || value.trim() === '') continue;
    if (field.kind === 'webhook') checkWebhookUrl(policy, value);
    else if (!policy.allowPrivateTargets && endpointIsPrivate(value)) {
      throw new AppError('PROVIDER_URL_NOT_ALLOWED', `${field.name} must name a public host`);
    }
  }
}

/**
 * A proxy URL (`socks5://…`) or an S3 endpoint, with or without a scheme (`minio:9000`). Its authority
 * is read as an http URL's, so every IPv4 notation a resolver may accept (`0x7f.1`, `2130706433`) is
 * normalised first; one that cannot be read is refused too.
 */
function endpointIsPrivate(value: string): boolean {
  try {
    return isPrivateHost(new URL(`http://${value.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')}`).hostname);
  } catch {
    return true;
  }
}
