import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { operatorApi } from '../api/operator';
import type { OperatorMe } from '../api/types';
import { Notice, Spinner } from '../components/notice';
import { SignIn } from '../components/sign-in';
import { TopBar } from '../components/top-bar';
import { clearKey, loadKey, saveKey } from '../lib/storage';
import { UsersPanel } from './users-panel';

/** The operator console: users, subscriptions and keys through the internal API. */
export function OperatorRoot() {
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
  return <OperatorConsole operatorKey={key} onSignOut={signOut} />;
}

function OperatorConsole({ operatorKey, onSignOut }: { operatorKey: string; onSignOut: (why?: string | null) => void }) {
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
        {me && <UsersPanel api={api} me={me} onKeyRefused={onSignOut} />}
      </main>
    </div>
  );
}
