import { call } from './client';
import type {
  ApiKeyInfo,
  AuditPage,
  MessageReply,
  OperatorMe,
  Overview,
  RotateReply,
  UpdateUserInput,
  UpsertUserInput,
  UpsertUserReply,
  UserPage,
} from './types';

const enc = encodeURIComponent;

export interface UserFilter {
  source: string;
  status: '' | 'active' | 'inactive';
  page: number;
  limit: number;
}

/** The internal API (`/internal`), authenticated by an operator's key in `x-internal-api-key`. */
export function operatorApi(key: string) {
  const headers = { 'x-internal-api-key': key };
  return {
    me: () => call<OperatorMe>('GET', '/internal/me', { headers }),
    overview: () => call<Overview>('GET', '/internal/overview', { headers }),
    users: (f: UserFilter) => {
      const query = new URLSearchParams({ page: String(f.page), limit: String(f.limit) });
      if (f.source) query.set('source', f.source);
      if (f.status) query.set('status', f.status);
      return call<UserPage>('GET', `/internal/users?${query}`, { headers });
    },
    createUser: (body: UpsertUserInput) => call<UpsertUserReply>('POST', '/internal/users', { headers, body }),
    updateUser: (id: string, body: UpdateUserInput) => call<MessageReply>('PUT', `/internal/users/${enc(id)}`, { headers, body }),
    /** `graceSeconds`: how long the replaced key keeps working (0: not at all). */
    rotateKey: (id: string, graceSeconds = 0) =>
      call<RotateReply>('POST', `/internal/users/${enc(id)}/apikey/rotate`, { headers, body: { grace_seconds: graceSeconds } }),
    keyInfo: (id: string) => call<ApiKeyInfo>('GET', `/internal/users/${enc(id)}/apikey`, { headers }),
    audit: (userId: string, page: number, limit = 10) =>
      call<AuditPage>('GET', `/internal/audit?${new URLSearchParams({ user_id: userId, page: String(page), limit: String(limit) })}`, {
        headers,
      }),
  };
}
export type OperatorApi = ReturnType<typeof operatorApi>;
