import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { OperatorApi, UserFilter } from '../api/operator';
import type { OperatorMe, UserPage } from '../api/types';
import { Notice, Spinner } from '../components/notice';
import { Pager } from '../components/pager';
import { CreateUser } from './create-user';
import { KeyReveal } from './key-reveal';
import { UserFilters } from './user-filters';
import { UsersTable } from './users-table';

interface Props {
  api: OperatorApi;
  me: OperatorMe;
  onKeyRefused: (why: string) => void;
}
export interface Revealed {
  userId: string;
  apiKey: string;
}

/** The filter a link brought (`?status=inactive`, `?source=app`, from the overview); a scoped key keeps its source. */
function initialFilter(scopedSource: string | null): UserFilter {
  const query = new URLSearchParams(location.search);
  const status = query.get('status');
  return {
    source: scopedSource ?? query.get('source') ?? '',
    status: status === 'active' || status === 'inactive' ? status : '',
    page: 1,
    limit: 20,
  };
}

/** Users page by page, filtered by source and status, with every per-user action. */
export function UsersPanel({ api, me, onKeyRefused }: Props) {
  const scopedSource = me.auth.mode === 'scoped' ? me.auth.source_service : null;
  const [filter, setFilter] = useState<UserFilter>(() => initialFilter(scopedSource));
  const [page, setPage] = useState<UserPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const load = async () => {
    try {
      setPage(await api.users(filter));
      setError(null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) onKeyRefused(e.message);
      else setError(e instanceof Error ? e.message : String(e));
    }
  };
  useEffect(() => {
    void load();
  }, [api, filter]);
  return (
    <section class="section" aria-labelledby="users-title">
      <div class="section-head">
        <h1 id="users-title">Users</h1>
        <CreateUser
          api={api}
          scopedSource={scopedSource}
          onCreated={(r) => {
            if (r.apiKey) setRevealed(r);
            void load();
          }}
        />
      </div>
      <UserFilters filter={filter} scoped={scopedSource !== null} onChange={(f) => setFilter({ ...filter, ...f, page: 1 })} />
      {error && <Notice kind="error">{error}</Notice>}
      {!page && !error && <Spinner label="Loading users…" />}
      {page && <UsersTable api={api} users={page.items} onChanged={load} onReveal={setRevealed} />}
      {page && <Pager meta={page.meta} noun="user" label="Pages of users" onPage={(p) => setFilter({ ...filter, page: p })} />}
      {revealed && <KeyReveal userId={revealed.userId} apiKey={revealed.apiKey} onClose={() => setRevealed(null)} />}
    </section>
  );
}
