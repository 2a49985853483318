import { call } from './client';
import type { MessageReply, OperatorMe, Overview, RotateReply, UpdateUserInput, UpsertUserInput, UpsertUserReply, UserPage } from './types';

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
    rotateKey: (id: string) => call<RotateReply>('POST', `/internal/users/${enc(id)}/apikey/rotate`, { headers, body: {} }),
  };
}
export type OperatorApi = ReturnType<typeof operatorApi>;
