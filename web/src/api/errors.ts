import type { ErrorCode } from '@server/errors';

/**
 * Plain words for what the gateway answers. The codes are the gateway's error catalogue
 * (src/errors.ts: a code gone from it breaks this typecheck; NETWORK is the console's own, for no
 * answer at all); the person reading these is not expected to know HTTP.
 */
const BY_CODE: Partial<Record<ErrorCode | 'NETWORK', string>> = {
  API_KEY_REQUIRED: 'Enter your API key.',
  API_KEY_INVALID: 'This API key is not valid. Check that you copied all of it.',
  INTERNAL_KEY_REQUIRED: 'Enter your operator key.',
  INTERNAL_KEY_INVALID: 'This operator key is not valid.',
  USER_INACTIVE: 'This account has been deactivated. Contact your provider.',
  SUBSCRIPTION_EXPIRED: 'Your subscription has expired. Renew it with your provider to use WhatsApp sessions again.',
  SUBSCRIPTION_NOT_FOUND: 'This account has no active subscription. Contact your provider.',
  SUBSCRIPTION_INACTIVE: 'Your subscription is not active. Contact your provider.',
  SESSION_LIMIT_EXCEEDED: 'You already have as many sessions as your plan allows. Delete one or upgrade your plan.',
  SESSION_NOT_FOUND: 'This session no longer exists.',
  WEBHOOK_URL_NOT_ALLOWED: 'The webhook URL must be a public http:// or https:// address.',
  QUOTA_EXCEEDED: 'Your message quota for this period is used up.',
  TOKEN_INVALID: "This session's token is no longer valid. Reload the page.",
  SOURCE_NOT_ALLOWED: 'Your operator key cannot manage users of that source.',
  USER_NOT_IN_SOURCE: 'That user belongs to another source.',
  USER_NOT_FOUND: 'That user does not exist.',
  SUBSCRIPTION_REQUIRED: 'Choose when the subscription ends.',
  PROVIDER_NOT_CONFIGURED: 'The WhatsApp service is not set up on this gateway yet.',
  PROVIDER_UNAVAILABLE: 'The WhatsApp service cannot be reached right now. Try again in a moment.',
  PROVIDER_TIMEOUT: 'The WhatsApp service did not answer in time. Try again in a moment.',
  PROVIDER_BAD_RESPONSE: 'The WhatsApp service sent an answer the gateway could not read. Try again in a moment.',
  ROUTE_NOT_FOUND: 'This gateway does not offer that feature yet.',
  NETWORK: 'The gateway cannot be reached. Check your connection and try again.',
};

const BY_STATUS: Record<number, string> = {
  401: 'Your key was not accepted. Sign in again.',
  403: 'You are not allowed to do that.',
  404: 'Not found.',
  413: 'That is too large to send.',
  429: 'Too many requests. Wait a minute and try again.',
};

/** Provider messages the console meets during linking, in plainer words. */
const PROVIDER: Record<string, string> = {
  'already logged in': 'This session is already linked to a phone.',
  'already paired': 'This session is already linked to a phone.',
  'already connected': 'This session is already connected.',
  'no session': 'This session is not connected. Link it first.',
  'not connected': 'This session is not connected. Link it first.',
  'phone number too short': 'That phone number is too short. Use the full international number.',
  'international phone number required': 'Use the international number with the country code and no leading 0, e.g. 628123456789.',
  'cannot disconnect because it is not logged in': 'This session is not connected.',
  'could not disconnect as it was not connected': 'This session is not connected.',
  'could not logout as it was not logged in': 'This session is not linked to a phone.',
};

export function plainMessage(status: number, code: string, message: string): string {
  const known = BY_CODE[code as ErrorCode] ?? PROVIDER[message.toLowerCase()];
  if (known) return known;
  if (code === 'VALIDATION_FAILED' || code === 'INVALID_JSON') return `Some details are not valid: ${message}.`;
  if (status >= 500)
    return message && code === 'PROVIDER'
      ? `The WhatsApp service reported a problem: ${message}.`
      : 'Something went wrong on the server. Try again in a moment.';
  return BY_STATUS[status] ?? (message ? `The request failed: ${message}.` : `The request failed (status ${status}).`);
}
