import type { InboundSession } from '../store/webhook-events.js';
import { tenantRefusal } from './tenant-access.js';

/**
 * Whether the relay serves the session's owner now (issue 11 §10): the one rule of SPEC §3, asked
 * about the owner's status and subscription that the session lookup brought along.
 */
export const relayRefusal = (s: Pick<InboundSession, 'user_status' | 'sub_status' | 'sub_expires_at'>, now: Date) =>
  tenantRefusal(s.user_status, s.sub_expires_at === null ? null : { status: s.sub_status, expires_at: new Date(s.sub_expires_at) }, now);
