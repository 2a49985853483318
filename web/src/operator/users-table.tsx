import type { OperatorApi } from '../api/operator';
import type { UserItem } from '../api/types';
import { formatCount, formatDay } from '../lib/format';
import { UserActions } from './user-actions';
import type { Revealed } from './users-panel';

interface Props {
  api: OperatorApi;
  users: UserItem[];
  onChanged: () => Promise<void>;
  onReveal: (r: Revealed) => void;
}

function Subscription({ user }: { user: UserItem }) {
  const sub = user.subscription;
  if (!sub) return <span class="muted">None</span>;
  const tone = sub.status === 'active' ? 'connected' : 'unreachable';
  return (
    <>
      <span class={`badge badge-${tone}`}>
        <span class="dot" aria-hidden="true" />
        {sub.status}
      </span>
      <span class="small muted block">until {formatDay(sub.expires_at)}</span>
    </>
  );
}

/** Sessions that need their owner: disconnected, not linked or silent (SPEC §10). */
const unwell = (user: UserItem) => {
  const h = user.sessions_by_health;
  return h ? h.disconnected + h.logged_out + h.silent : 0;
};

const messages = (user: UserItem) => {
  const sub = user.subscription;
  if (!sub) return '—';
  return sub.max_messages > 0
    ? `${formatCount(sub.messages_used)} / ${formatCount(sub.max_messages)}`
    : `${formatCount(sub.messages_used)} / unlimited`;
};

export function UsersTable({ api, users, onChanged, onReveal }: Props) {
  if (users.length === 0) return <p class="card muted">No users match these filters.</p>;
  return (
    <div class="table-wrap card">
      <table class="users">
        <caption class="visually-hidden">Users</caption>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Source</th>
            <th scope="col">Account</th>
            <th scope="col">Subscription</th>
            <th scope="col" class="num">
              Sessions
            </th>
            <th scope="col" class="num">
              Messages
            </th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} data-user-id={u.user_id}>
              <th scope="row" class="mono">
                {u.user_id}
              </th>
              <td>{u.source_service}</td>
              <td>{u.status === 'active' ? 'Active' : <span class="muted">Deactivated</span>}</td>
              <td>
                <Subscription user={u} />
              </td>
              <td class="num">
                {u.session_count}
                {u.subscription ? ` / ${u.subscription.max_sessions}` : ''}
                {unwell(u) > 0 && <span class="small muted block">{unwell(u)} not healthy</span>}
              </td>
              <td class="num">{messages(u)}</td>
              <td>
                <UserActions api={api} user={u} onChanged={onChanged} onReveal={onReveal} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
