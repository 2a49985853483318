import { createProviderHttp, type ProviderObserver, type ProviderResponse } from './http.js';
import { createLifecycleLane, type LifecycleRun } from './lifecycle-lane.js';
import * as S from './schemas.js';

export interface ProviderClientOptions {
  baseUrl: string | undefined;
  adminToken: string | undefined;
  timeoutMs: number;
  longTimeoutMs: number;
  /** Largest answer read whole (status, create, session answers…). */
  maxAnswerBytes: number;
  /** Largest contact map (`/user/contacts`) and user list (`GET /admin/users`): large, but bounded. */
  contactsMaxBytes: number;
  /** Told about every exchange (metrics); optional so the client works on its own. */
  observer?: ProviderObserver;
  /** The lane of lifecycle calls (deps.ts: cluster-wide on PostgreSQL); default, this process's own queue. */
  lifecycle?: LifecycleRun;
}

export interface NewProviderUser {
  name: string;
  token: string;
  webhook: string;
  /** A comma-separated string: the provider refuses an array (contract §2). */
  events: string;
  expiration?: number;
  history?: number;
  /** At least 32 characters; signs webhooks only once also set with `setHmacKey` (contract §7). */
  hmacKey?: string;
}

export interface ProviderUserChanges {
  name?: string;
  webhook?: string;
  events?: string;
  expiration?: number;
  history?: number;
}

/**
 * The only code that knows genfity-wa's routes and shapes (provider-contract.md). Admin calls carry
 * the raw admin token in `Authorization` (no "Bearer": the provider compares bytes); user calls
 * carry the session token in `token` (the provider never reads Authorization on user routes).
 */
export function createProviderClient(options: ProviderClientOptions) {
  const http = createProviderHttp({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    maxAnswerBytes: options.maxAnswerBytes,
    observer: options.observer,
  });
  const lifecycle = options.lifecycle ?? createLifecycleLane({ waitMs: 30_000 });
  const admin = () => ({ authorization: options.adminToken ?? '' });
  const user = (token: string) => ({ token });

  const createUser = async (u: NewProviderUser) =>
    S.parseProvider(S.CreatedUser, (await http.callOk({ method: 'POST', path: '/admin/users', headers: admin(), body: u })).body).data;

  /** Finds a provider user by its token: how a create that timed out is found and undone. */
  async function findUserIdByToken(token: string): Promise<string | null> {
    // Undoing a create that timed out: wait long enough for the slow create itself to have landed.
    const res = await http.callOk({
      method: 'GET',
      path: '/admin/users',
      headers: admin(),
      timeoutMs: options.longTimeoutMs,
      maxBytes: options.contactsMaxBytes,
    });
    return S.parseProvider(S.AdminUserList, res.body).data.find((u) => u.token === token)?.id ?? null;
  }

  /** PUT applies only non-empty values (contract §2), so it can set a webhook but never clear one. */
  const updateUser = (id: string, changes: ProviderUserChanges): Promise<ProviderResponse> =>
    http.callOk({ method: 'PUT', path: `/admin/users/${encodeURIComponent(id)}`, headers: admin(), body: changes });

  /**
   * The full delete logs out, disconnects, evicts the token cache and removes files (contract §2): it
   * touches the same unlocked map as connect, so it takes the lifecycle lane too.
   */
  const deleteUserFull = (id: string): Promise<ProviderResponse> =>
    lifecycle(() =>
      http.call({
        method: 'DELETE',
        path: `/admin/users/${encodeURIComponent(id)}/full`,
        headers: admin(),
        timeoutMs: options.longTimeoutMs,
      }),
    );

  /** `Immediate: true` or the provider stalls 10 s; the full event list each time, or it stores "". */
  const connect = (token: string, events: string[]) =>
    lifecycle(() =>
      http.call({
        method: 'POST',
        path: '/session/connect',
        headers: user(token),
        body: { Subscribe: events, Immediate: true },
        timeoutMs: options.longTimeoutMs,
      }),
    );
  const disconnect = (token: string) =>
    lifecycle(() => http.call({ method: 'POST', path: '/session/disconnect', headers: user(token), body: {} }));
  const logout = (token: string) => lifecycle(() => http.call({ method: 'POST', path: '/session/logout', headers: user(token), body: {} }));

  const status = async (token: string) =>
    S.parseProvider(S.SessionStatus, (await http.callOk({ method: 'GET', path: '/session/status', headers: user(token) })).body).data;

  /** Clearing needs the user route: the admin PUT ignores an empty webhook (contract §2). */
  const clearWebhook = (token: string) => http.callOk({ method: 'DELETE', path: '/webhook', headers: user(token) });

  const setHmacKey = (token: string, key: string) =>
    http.callOk({ method: 'POST', path: '/session/hmac/config', headers: user(token), body: { hmac_key: key } });

  const contacts = async (token: string) =>
    S.parseProvider(
      S.ContactMap,
      (await http.callOk({ method: 'GET', path: '/user/contacts', headers: user(token), maxBytes: options.contactsMaxBytes })).body,
    ).data;

  /** The JID form (`Chat`/`Sender`) works for groups too, where the sender must be named (contract §6). */
  const markRead = (token: string, read: { ids: string[]; chat: string; sender?: string }) =>
    http.call({
      method: 'POST',
      path: '/chat/markread',
      headers: user(token),
      body: { Id: read.ids, Chat: read.chat, ...(read.sender ? { Sender: read.sender } : {}) },
    });

  const presence = (token: string, phone: string, state: 'composing' | 'paused') =>
    http.call({ method: 'POST', path: '/chat/presence', headers: user(token), body: { Phone: phone, State: state, Media: '' } });

  /** Reachability for readiness: the provider's own unauthenticated health route. */
  const health = async () => (await http.call({ method: 'GET', path: '/health', headers: {}, timeoutMs: 2_000 })).status < 500;

  return {
    createUser,
    findUserIdByToken,
    updateUser,
    deleteUserFull,
    connect,
    disconnect,
    logout,
    status,
    clearWebhook,
    setHmacKey,
    contacts,
    markRead,
    presence,
    health,
    lifecycle,
    http,
    close: http.close,
  };
}
export type ProviderClient = ReturnType<typeof createProviderClient>;
