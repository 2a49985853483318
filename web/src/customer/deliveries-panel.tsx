import { useEffect, useState } from 'preact/hooks';
import { isMissingFeature } from '../api/client';
import type { Delivery } from '../api/types';
import { Notice, OutcomeNotice, Spinner } from '../components/notice';
import { formatDate } from '../lib/format';
import { useAction } from '../lib/use-async';
import { useCustomer } from './context';

const STATUS: Record<Delivery['status'], [string, string]> = {
  delivered: ['Delivered', 'connected'],
  pending: ['Retrying', 'waiting'],
  failed: ['Failed', 'unreachable'],
};

/** The last 50 webhook deliveries of the session, each one can be sent again. */
export function DeliveriesPanel({ sessionId }: { sessionId: string }) {
  const { api } = useCustomer();
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'missing' | 'error'>('loading');
  const [error, setError] = useState('');
  const action = useAction();
  const load = () =>
    api.deliveries(sessionId).then(
      (d) => {
        setDeliveries(d);
        setState('ready');
      },
      (e: Error) => {
        setState(isMissingFeature(e) ? 'missing' : 'error');
        setError(e.message);
      },
    );
  useEffect(() => {
    void load();
  }, [api, sessionId]);
  const redeliver = (d: Delivery) =>
    action.run(async () => {
      await api.redeliver(sessionId, d.id);
      await load();
      return `Delivery of the ${d.event_type} event queued again.`;
    });
  return (
    <section class="card" aria-labelledby="deliveries-title">
      <div class="section-head">
        <h2 id="deliveries-title">Recent webhook deliveries</h2>
        <button type="button" class="button button-secondary" onClick={() => void load()} disabled={state === 'missing'}>
          Refresh
        </button>
      </div>
      <OutcomeNotice outcome={action.outcome} />
      {state === 'loading' && <Spinner label="Loading deliveries…" />}
      {state === 'missing' && <Notice kind="info">Webhook delivery history is not available on this gateway yet.</Notice>}
      {state === 'error' && <Notice kind="error">{error}</Notice>}
      {state === 'ready' && deliveries && <DeliveryTable deliveries={deliveries} busy={action.busy} onRedeliver={redeliver} />}
    </section>
  );
}

function DeliveryTable({ deliveries, busy, onRedeliver }: { deliveries: Delivery[]; busy: boolean; onRedeliver: (d: Delivery) => void }) {
  if (deliveries.length === 0) return <p class="muted">No deliveries yet. Events appear here once a webhook URL is set.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">Webhook deliveries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Tries
            </th>
            <th scope="col">Last answer</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => {
            const [label, tone] =
              d.status === 'pending' && d.attempts === 0 ? ['Queued', 'waiting'] : (STATUS[d.status] ?? [d.status, 'unknown']);
            return (
              <tr key={String(d.id)}>
                <td>{formatDate(d.created_at)}</td>
                <td>{d.event_type}</td>
                <td>
                  <span class={`badge badge-${tone}`}>
                    <span class="dot" aria-hidden="true" />
                    {label}
                  </span>
                  {d.status === 'pending' && d.next_attempt_at && <span class="small muted"> next {formatDate(d.next_attempt_at)}</span>}
                </td>
                <td class="num">{d.attempts}</td>
                <td class="small">
                  {d.last_status_code !== null ? `HTTP ${d.last_status_code}` : ''}
                  {d.last_error ? ` ${d.last_error}` : ''}
                </td>
                <td>
                  <button
                    type="button"
                    class="button button-small button-secondary"
                    disabled={busy || d.status === 'pending'}
                    onClick={() => onRedeliver(d)}
                  >
                    Redeliver
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
