import { Readable } from 'node:stream';
import type { Clock } from '../lib/clock.js';
import { goField as field } from '../lib/json.js';
import type { ForwardResponse } from '../provider/forward.js';
import * as sessions from '../store/sessions.js';
import { revealSession, type SealedStore, sealOptional } from './secret-codec.js';
import { eventList } from './session-events.js';
import { providerEvents } from './relay-mode.js';
import { checkWebhookUrl, type WebhookRouting } from './webhook-policy.js';

export type Interception = { answer: ForwardResponse } | { body: Buffer } | null;

const answer = (status: number, body: unknown): Interception => ({
  answer: { status, headers: { 'content-type': 'application/json' }, body: Readable.from([Buffer.from(JSON.stringify(body))]) },
});
const INTERCEPTED = new Set(['/session/connect', '/webhook', '/session/hmac/config']);
const envelope = (data: unknown) => ({ code: 200, data, success: true });

/**
 * In relay mode every session's provider webhook and its key belong to the gateway. Customer
 * calls that would change them (`/webhook`, `/session/hmac/config`, govconnect makes both) are
 * answered here, in the provider's shapes, by changing the customer's own settings instead; a
 * connect gets the gateway's events added, or the provider would stop sending them (contract §4).
 */
export function createRelayIntercept(deps: {
  store: SealedStore;
  clock: Clock;
  policy: WebhookRouting;
  /** Drops a session's token from the caches once its settings changed. */
  forget: (token: string) => void;
}) {
  const { clock, policy } = deps;
  const { db, codec } = deps.store;

  /** The body was read whole and bounded before it got here (services/gateway-body.ts). */
  function readJson(body: Buffer | null): Record<string, unknown> {
    try {
      const parsed = JSON.parse(body ? body.toString('utf8') : '') as unknown;
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }

  async function save(row: sessions.SessionRow, changes: sessions.SessionChanges) {
    await sessions.updateSessionFields(
      db,
      row.id,
      { ...changes, webhook_secret: sealOptional(codec, changes.webhook_secret) },
      clock.now(),
    );
    if (row.session_token) deps.forget(row.session_token);
  }

  async function webhook(row: sessions.SessionRow, method: string, body: Buffer | null): Promise<Interception> {
    if (method === 'GET') return answer(200, envelope({ webhook: row.webhook_url ?? '', subscribe: eventList(row.events ?? '') }));
    if (method === 'DELETE') {
      await save(row, { webhook_url: '' });
      return answer(200, envelope({ Details: 'Webhook deleted successfully' }));
    }
    const json = readJson(body);
    const url = field(json, 'webhookurl', 'webhook');
    const events = field(json, 'events');
    const active = field(json, 'active');
    const next = active === false ? '' : typeof url === 'string' ? url.trim() : (row.webhook_url ?? '');
    if (next) checkWebhookUrl(policy.webhooks, next);
    const list = Array.isArray(events) ? events.filter((e): e is string => typeof e === 'string') : null;
    await save(row, { webhook_url: next, ...(list?.length ? { events: list.join(',') } : {}) });
    return answer(200, envelope({ webhook: next, events: list ?? eventList(row.events ?? '') }));
  }

  async function hmac(row: sessions.SessionRow, method: string, body: Buffer | null): Promise<Interception> {
    if (method === 'GET') return answer(200, row.webhook_secret ? { hmac_key: '***' } : { hmac_key: '' });
    if (method === 'DELETE') {
      await save(row, { webhook_secret: null });
      return answer(200, { Details: 'HMAC configuration deleted successfully' });
    }
    const key = field(readJson(body), 'hmac_key');
    if (typeof key !== 'string' || key.length < 32)
      return answer(400, { code: 400, error: 'HMAC key must be at least 32 characters long', success: false });
    await save(row, { webhook_secret: key });
    return answer(200, { Details: 'HMAC configuration saved successfully' });
  }

  /**
   * Null: forward as it is. `body`: forward these bytes instead. `answer`: do not forward at all. Null
   * at once, without a promise, for every call it leaves alone (every send: issue 15).
   */
  function intercept(rowId: number, path: string, method: string, body: Buffer | null): Promise<Interception> | null {
    if (!policy.relay.publicUrl || !INTERCEPTED.has(path)) return null;
    return rewrite(rowId, path, method, body);
  }

  async function rewrite(rowId: number, path: string, method: string, body: Buffer | null): Promise<Interception> {
    // Every session of a relay installation, re-pointed yet or not: the re-pointing job (relay-repoint.ts)
    // gives genfity-wa the relay's address and key, so neither may be set on the provider meanwhile.
    const row = revealSession(codec, await sessions.findSessionByRowId(db, rowId));
    if (!row) return null;
    if (path === '/webhook') return webhook(row, method, body);
    if (path === '/session/hmac/config') return hmac(row, method, body);
    const json = readJson(body);
    const asked = field(json, 'subscribe');
    const list = Array.isArray(asked) ? asked.filter((e): e is string => typeof e === 'string') : eventList(row.events ?? '');
    return {
      body: Buffer.from(
        JSON.stringify({ ...json, Subscribe: providerEvents(list, policy.relay), Immediate: field(json, 'immediate') ?? true }),
      ),
    };
  }

  return { intercept };
}
export type RelayIntercept = ReturnType<typeof createRelayIntercept>;
