import { useEffect, useState } from 'preact/hooks';
import type { ContactList } from '../api/types';
import { Notice, OutcomeNotice, Spinner } from '../components/notice';
import { useAction } from '../lib/use-async';
import { useCustomer } from './context';

/** Waits for a pause in typing before searching, so each key press is not a request. */
function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * The contacts the gateway keeps for the session. Names come from WhatsApp users, so they are
 * only ever text nodes here (issue 8: no HTML from the API).
 */
export function ContactsPanel({ sessionId }: { sessionId: string }) {
  const { api } = useCustomer();
  const [query, setQuery] = useState('');
  const search = useDebounced(query.trim(), 300);
  const [list, setList] = useState<ContactList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sync = useAction();
  const load = () =>
    api.contacts(sessionId, search).then(
      (l) => {
        setList(l);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  useEffect(() => {
    void load();
  }, [api, sessionId, search]);
  const syncNow = () =>
    sync.run(async () => {
      const c = await api.syncContacts(sessionId);
      await load();
      return `Synced ${c.total} contacts: ${c.added} added, ${c.updated} updated, ${c.removed} removed.`;
    });
  return (
    <section class="card" aria-labelledby="contacts-title">
      <div class="section-head">
        <h2 id="contacts-title">Contacts</h2>
        <button type="button" class="button button-secondary" disabled={sync.busy} onClick={syncNow}>
          {sync.busy ? 'Syncing…' : 'Sync from WhatsApp'}
        </button>
      </div>
      <label class="search">
        <span class="visually-hidden">Search contacts</span>
        <input type="search" value={query} placeholder="Search by name or number" onInput={(e) => setQuery(e.currentTarget.value)} />
      </label>
      <OutcomeNotice outcome={sync.outcome} />
      {error && <Notice kind="error">{error}</Notice>}
      {list?.sync_error && <Notice kind="info">The last sync did not finish: {list.sync_error}</Notice>}
      {!list && !error ? <Spinner label="Loading contacts…" /> : list && <ContactTable list={list} searching={search !== ''} />}
    </section>
  );
}

function ContactTable({ list, searching }: { list: ContactList; searching: boolean }) {
  if (list.contacts.length === 0) {
    return (
      <p class="muted">
        {searching ? 'No contact matches that search.' : 'No contacts yet. Link a phone, then press “Sync from WhatsApp”.'}
      </p>
    );
  }
  return (
    <div class="table-wrap">
      <table class="contacts">
        <caption class="visually-hidden">Contacts</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Phone</th>
            <th scope="col">WhatsApp ID</th>
          </tr>
        </thead>
        <tbody>
          {list.contacts.map((c) => (
            <tr key={c.jid}>
              <td class="contact-name">{c.name || '—'}</td>
              <td>{c.phone ? `+${c.phone.replace(/^\+/, '')}` : '—'}</td>
              <td class="mono small">{c.jid}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
