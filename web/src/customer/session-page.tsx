import { useEffect, useState } from 'preact/hooks';
import type { Session } from '../api/types';
import { Notice, Spinner } from '../components/notice';
import { StatusBadge } from '../components/status-badge';
import { Tabs } from '../components/tabs';
import { phoneFromJid } from '../lib/format';
import { BASE, navigate } from '../lib/router';
import { ContactsPanel } from './contacts-panel';
import { useCustomer } from './context';
import { DeliveriesPanel } from './deliveries-panel';
import { EventLog } from './event-log';
import { HealthNote } from './health-note';
import { SettingsPanel } from './settings-panel';
import { useLinkStatus } from './use-link-status';

type Tab = 'settings' | 'contacts' | 'deliveries' | 'events';
const TABS: Array<[Tab, string]> = [
  ['settings', 'Settings & statistics'],
  ['contacts', 'Contacts'],
  ['deliveries', 'Webhook deliveries'],
  ['events', 'Live events'],
];

function BackLink() {
  return (
    <a
      class="back"
      href={`${BASE}/`}
      onClick={(e) => {
        e.preventDefault();
        navigate('/');
      }}
    >
      ← All sessions
    </a>
  );
}

/** One session in depth: its settings and statistics, its contacts and its webhook deliveries. */
export function SessionPage({ sessionId }: { sessionId: string }) {
  const { api } = useCustomer();
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.sessions().then(
      (all) => setSession(all.find((s) => s.session_id === sessionId) ?? null),
      (e: Error) => setError(e.message),
    );
  }, [api, sessionId]);
  if (error)
    return (
      <>
        <BackLink />
        <Notice kind="error">{error}</Notice>
      </>
    );
  if (session === undefined) return <Spinner label="Loading the session…" />;
  if (session === null)
    return (
      <>
        <BackLink />
        <Notice kind="error">This session does not exist, or was deleted.</Notice>
      </>
    );
  return <SessionDetail session={session} />;
}

function SessionDetail({ session }: { session: Session }) {
  const { live, health, stream } = useLinkStatus(session, 15_000);
  const [tab, setTab] = useState<Tab>('settings');
  const phone = phoneFromJid(live.jid || session.jid);
  return (
    <>
      <BackLink />
      <header class="page-head">
        <div>
          <h1>{session.session_name}</h1>
          <p class="muted small">
            <span class="mono">{session.session_id}</span>
            {live.status === 'connected' && phone ? ` · ${phone}` : ''}
          </p>
        </div>
        <StatusBadge status={live.status} />
      </header>
      {live.status === 'unreachable' && <Notice kind="info">The WhatsApp service is not answering right now; settings still work.</Notice>}
      {live.status !== 'unreachable' && <HealthNote health={health} />}
      <Tabs label="Session sections" tabs={TABS} current={tab} onSelect={setTab}>
        {tab === 'settings' && <SettingsPanel sessionId={session.session_id} />}
        {tab === 'contacts' && <ContactsPanel sessionId={session.session_id} />}
        {tab === 'deliveries' && <DeliveriesPanel sessionId={session.session_id} />}
        {tab === 'events' && <EventLog stream={stream} />}
      </Tabs>
    </>
  );
}
