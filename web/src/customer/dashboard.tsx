import { useState } from 'preact/hooks';
import type { Session } from '../api/types';
import { Notice, Spinner } from '../components/notice';
import { usePoll } from '../lib/poll';
import { AccountSummary } from './account-summary';
import { useCustomer } from './context';
import { CreateSession } from './create-session';
import { SessionCard } from './session-card';
import { UsagePanel } from './usage-panel';

/** The customer's home: plan, quota, and every session with its live state. */
export function Dashboard() {
  const { api, me } = useCustomer();
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = async () => {
    try {
      setSessions(await api.sessions());
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  usePoll(load, 15_000);
  const atLimit = sessions !== null && sessions.length >= (me.subscription.max_sessions ?? 1);
  return (
    <>
      <AccountSummary me={me} sessionCount={sessions?.length ?? null} />
      <section class="section" aria-labelledby="sessions-title">
        <div class="section-head">
          <h1 id="sessions-title">Your sessions</h1>
          <CreateSession disabled={atLimit} onCreated={load} />
        </div>
        {error && <Notice kind="error">{error}</Notice>}
        {sessions === null && !error && <Spinner label="Loading sessions…" />}
        {sessions?.length === 0 && (
          <div class="empty card">
            <p>No sessions yet.</p>
            <p class="muted">Create one, then link it to a WhatsApp number by scanning a QR code.</p>
          </div>
        )}
        <ul class="session-grid" aria-label="Sessions">
          {sessions?.map((s) => (
            <li key={s.session_id}>
              <SessionCard session={s} onChanged={load} />
            </li>
          ))}
        </ul>
      </section>
      {sessions !== null && <UsagePanel sessions={sessions} />}
    </>
  );
}
