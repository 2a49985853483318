import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { operatorApi } from '../api/operator';
import type { OperatorMe } from '../api/types';
import { Notice, Spinner } from '../components/notice';
import { SignIn } from '../components/sign-in';
import { TopBar } from '../components/top-bar';
import { BASE, navigate } from '../lib/router';
import { clearKey, loadKey, saveKey } from '../lib/storage';
import { OverviewPanel } from './overview-panel';
import { UsersPanel } from './users-panel';

/** The operator console: users, subscriptions and keys through the internal API. */
export function OperatorRoot({ path }: { path: string }) {
  const [key, setKey] = useState(() => loadKey('operator'));
  const [reason, setReason] = useState<string | null>(null);
  const signOut = (why: string | null = null) => {
    clearKey('operator');
    setReason(why);
    setKey(null);
  };
  if (!key) {
    return (
      <SignIn
        audience="operator"
        reason={reason}
        verify={async (k) => {
          await operatorApi(k).me();
        }}
        onSignedIn={(k) => {
          saveKey('operator', k);
          setKey(k);
        }}
      />
    );
  }
  return <OperatorConsole operatorKey={key} path={path} onSignOut={signOut} />;
}

const PAGES: Array<[string, string]> = [
  ['/operator', 'Overview'],
  ['/operator/users', 'Users'],
];

/** The console's two pages as links, so each has its address (the overview links into the users list). */
function PageNav({ path }: { path: string }) {
  return (
    <nav class="tabs" aria-label="Operator pages">
      {PAGES.map(([to, label]) => (
        <a
          key={to}
          href={BASE + to}
          class={path === to ? 'tab tab-on' : 'tab'}
          aria-current={path === to ? 'page' : undefined}
          onClick={(e) => {
            e.preventDefault();
            navigate(to);
          }}
        >
          {label}
        </a>
      ))}
    </nav>
  );
}

function OperatorConsole({
  operatorKey,
  path,
  onSignOut,
}: {
  operatorKey: string;
  path: string;
  onSignOut: (why?: string | null) => void;
}) {
  const api = useMemo(() => operatorApi(operatorKey), [operatorKey]);
  const [me, setMe] = useState<OperatorMe | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.me().then(setMe, (e: Error) => (e instanceof ApiError && e.status === 401 ? onSignOut(e.message) : setError(e.message)));
  }, [api]);
  const scope = me?.auth.mode === 'scoped' ? `source “${me.auth.source_service}”` : 'all sources';
  return (
    <div class="page">
      <TopBar area="Operator console" who={me ? `Managing ${scope}` : undefined} onSignOut={() => onSignOut(null)} />
      <main class="content">
        {error && <Notice kind="error">{error}</Notice>}
        {!me && !error && <Spinner label="Checking your key…" />}
        {me && <PageNav path={path} />}
        {me && path === '/operator/users' && <UsersPanel api={api} me={me} onKeyRefused={onSignOut} />}
        {me && path !== '/operator/users' && <OverviewPanel api={api} onKeyRefused={onSignOut} />}
      </main>
    </div>
  );
}
