import { call } from './client';
import { followSessionEvents, type StreamHandlers } from './events';
import type {
  ContactList,
  CreateSessionInput,
  DeliveryList,
  DeliveryReply,
  Me,
  SessionList,
  SessionReply,
  Settings,
  SettingsInput,
  SettingsSaved,
  SyncCounts,
  UsageReport,
} from './types';

const enc = encodeURIComponent;

/** The customer API (`/v1`), authenticated by the customer's key in `x-api-key`. */
export function customerApi(apiKey: string) {
  const headers = { 'x-api-key': apiKey };
  const session = (id: string) => `/v1/sessions/${enc(id)}`;
  return {
    me: () => call<Me>('GET', '/v1/me', { headers }),
    sessions: () => call<SessionList>('GET', '/v1/sessions', { headers }).then((r) => r.sessions),
    createSession: (body: CreateSessionInput) => call<SessionReply>('POST', '/v1/sessions', { headers, body }).then((r) => r.session),
    deleteSession: (id: string) => call<unknown>('DELETE', session(id), { headers }),
    settings: (id: string) => call<Settings>('GET', `${session(id)}/settings`, { headers }),
    saveSettings: (id: string, body: SettingsInput) =>
      call<SettingsSaved>('PUT', `${session(id)}/settings`, { headers, body }).then((r) => r.settings),
    contacts: (id: string, q: string) => call<ContactList>('GET', `${session(id)}/contacts?sync=false&q=${enc(q)}`, { headers }),
    syncContacts: (id: string) => call<SyncCounts>('POST', `${session(id)}/contacts/sync`, { headers }),
    deliveries: (id: string) =>
      call<DeliveryList>('GET', `${session(id)}/webhook-deliveries?limit=50`, { headers }).then((r) => r.deliveries),
    redeliver: (id: string, deliveryId: number) =>
      call<DeliveryReply>('POST', `${session(id)}/webhook-deliveries/${enc(String(deliveryId))}/redeliver`, { headers, body: {} }),
    testWebhook: (id: string) => call<DeliveryReply>('POST', `${session(id)}/webhook-deliveries/test`, { headers, body: {} }),
    /** Messages per Asia/Jakarta day; the gateway's defaults (the last 30 days) for what is left out. */
    usage: (q: { from?: string; to?: string; sessionId?: string }) => {
      const query = new URLSearchParams();
      if (q.from) query.set('from', q.from);
      if (q.to) query.set('to', q.to);
      if (q.sessionId) query.set('session_id', q.sessionId);
      return call<UsageReport>('GET', `/v1/usage?${query}`, { headers });
    },
    /** The session's live events (SPEC §10); returns the function that stops following them. */
    followEvents: (id: string, handlers: StreamHandlers) => followSessionEvents(apiKey, id, handlers),
  };
}
export type CustomerApi = ReturnType<typeof customerApi>;
