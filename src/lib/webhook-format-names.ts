/**
 * The webhook formats a session may have (SPEC §10), and how a stored value reads. Kept apart from
 * the bodies (webhook-format.ts) and free of imports, so the route schemas that name the formats —
 * which the web console's typecheck reads — stay plain TypeScript.
 */
export const WEBHOOK_FORMATS = ['provider', 'envelope'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];
export const DEFAULT_WEBHOOK_FORMAT: WebhookFormat = 'provider';

/** A stored format that is not one of the two (a row written by hand) is read as the default. */
export const webhookFormatOf = (value: string | null | undefined): WebhookFormat =>
  value === 'envelope' ? 'envelope' : DEFAULT_WEBHOOK_FORMAT;
