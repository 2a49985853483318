import { useMemo, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { customerApi } from '../api/customer';
import type { Me } from '../api/types';
import { Notice, Spinner } from '../components/notice';
import { SignIn } from '../components/sign-in';
import { TopBar } from '../components/top-bar';
import { usePoll } from '../lib/poll';
import { clearKey, loadKey, saveKey } from '../lib/storage';
import { CustomerContext } from './context';
import { Dashboard } from './dashboard';
import { SessionPage } from './session-page';

/** Signed out: the key form. Signed in: the console, until the key stops working. */
export function CustomerRoot({ path }: { path: string }) {
  const [key, setKey] = useState(() => loadKey('customer'));
  const [reason, setReason] = useState<string | null>(null);
  const signOut = (why: string | null = null) => {
    clearKey('customer');
    setReason(why);
    setKey(null);
  };
  if (!key) {
    return (
      <SignIn
        audience="customer"
        reason={reason}
        verify={async (k) => {
          await customerApi(k).me();
        }}
        onSignedIn={(k) => {
          saveKey('customer', k);
          setKey(k);
        }}
      />
    );
  }
  return <CustomerConsole apiKey={key} path={path} onSignOut={signOut} />;
}

const SESSION_PATH = /^\/sessions\/([^/]+)$/;

function CustomerConsole({ apiKey, path, onSignOut }: { apiKey: string; path: string; onSignOut: (why?: string | null) => void }) {
  const api = useMemo(() => customerApi(apiKey), [apiKey]);
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reloadMe = async () => {
    try {
      setMe(await api.me());
      setError(null);
    } catch (e) {
      // A key that was rotated or a subscription that ran out ends the visit with the reason.
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) onSignOut(e.message);
      else setError(e instanceof Error ? e.message : String(e));
    }
  };
  usePoll(reloadMe, 60_000);
  const sessionId = SESSION_PATH.exec(path)?.[1];
  return (
    <div class="page">
      <TopBar area="Customer console" who={me ? me.user.id : undefined} onSignOut={() => onSignOut(null)} />
      <main class="content">
        {error && <Notice kind="error">{error}</Notice>}
        {!me ? (
          !error && <Spinner label="Loading your account…" />
        ) : (
          <CustomerContext.Provider value={{ api, me, reloadMe }}>
            {sessionId ? <SessionPage sessionId={decodeURIComponent(sessionId)} /> : <Dashboard />}
          </CustomerContext.Provider>
        )}
      </main>
    </div>
  );
}
