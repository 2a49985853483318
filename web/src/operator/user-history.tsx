import { useEffect, useState } from 'preact/hooks';
import type { OperatorApi } from '../api/operator';
import type { ApiKeyInfo, AuditItem, AuditPage, FieldChange } from '../api/types';
import { Modal } from '../components/modal';
import { Notice, Spinner } from '../components/notice';
import { Pager } from '../components/pager';
import { formatDate } from '../lib/format';

const ACTIONS: Record<string, string> = {
  'user.create': 'User created',
  'user.update': 'User changed',
  'user.status': 'Status changed',
  'subscription.create': 'Subscription created',
  'subscription.update': 'Subscription changed',
  'subscription.expire': 'Subscription expired',
  'apikey.rotate': 'Key rotated',
  'session.create': 'Session created',
  'session.update': 'Session changed',
  'session.settings': 'Session settings changed',
  'session.delete': 'Session deleted',
};
const ACTORS: Record<AuditItem['actor']['type'], string> = { internal: 'Service', customer: 'Customer', system: 'Gateway' };

const ISO = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/;
const shown = (v: unknown) =>
  v === null || v === undefined || v === '' ? '—' : typeof v === 'string' && ISO.test(v) ? formatDate(v) : String(v);
/** One change as plain text: never HTML, whatever a value holds. */
const describe = ([field, change]: [string, FieldChange]) =>
  typeof change === 'string' ? `${field}: ${change}` : `${field}: ${shown(change.before)} → ${shown(change.after)}`;

function KeyFacts({ info }: { info: ApiKeyInfo }) {
  const facts: Array<[string, string]> = [
    ['Key', info.api_key_hint ?? '—'],
    ['Issued', formatDate(info.api_key_updated_at)],
    ['Last used', info.last_used_at ? formatDate(info.last_used_at) : 'Never'],
    ['Previous key works until', info.previous_key_expires_at ? formatDate(info.previous_key_expires_at) : 'It does not'],
  ];
  if (info.previous_key_expires_at)
    facts.push(['Previous key last used', info.previous_key_last_used_at ? formatDate(info.previous_key_last_used_at) : 'Never']);
  return (
    <dl class="key-facts" aria-label="API key">
      {facts.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Changes({ page, onPage }: { page: AuditPage; onPage: (p: number) => void }) {
  if (page.items.length === 0) return <p class="muted">No changes recorded.</p>;
  return (
    <>
      <div class="table-wrap">
        <table class="history">
          <caption class="visually-hidden">Changes, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Changes</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((item) => (
              <tr key={item.id}>
                <td>{formatDate(item.at)}</td>
                <td>
                  {ACTORS[item.actor.type]} <strong class="actor-name">{item.actor.name}</strong>
                  {item.ip && <span class="small muted block">{item.ip}</span>}
                </td>
                <td>{ACTIONS[item.action] ?? item.action}</td>
                <td class="small">
                  {Object.entries(item.changes).map((c) => (
                    <span key={c[0]} class="block">
                      {describe(c)}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager meta={page.meta} noun="change" label="Pages of changes" onPage={onPage} previous="← Newer" next="Older →" />
    </>
  );
}

/** A user's key (last use, the previous key's grace) and its audit trail, newest first. */
export function UserHistory({ api, userId, onClose }: { api: OperatorApi; userId: string; onClose: () => void }) {
  const [info, setInfo] = useState<ApiKeyInfo | null>(null);
  const [page, setPage] = useState<AuditPage | null>(null);
  const [number, setNumber] = useState(1);
  const [error, setError] = useState<string | null>(null);
  const fail = (e: unknown) => setError(e instanceof Error ? e.message : String(e));
  useEffect(() => {
    api.keyInfo(userId).then(setInfo, fail);
  }, [api, userId]);
  useEffect(() => {
    api.audit(userId, number).then(setPage, fail);
  }, [api, userId, number]);
  return (
    <Modal title={`History of ${userId}`} onClose={onClose} wide>
      {error && <Notice kind="error">{error}</Notice>}
      <h3>API key</h3>
      {info ? <KeyFacts info={info} /> : !error && <Spinner label="Loading the key…" />}
      <h3>Changes</h3>
      {page ? <Changes page={page} onPage={setNumber} /> : !error && <Spinner label="Loading the changes…" />}
    </Modal>
  );
}
