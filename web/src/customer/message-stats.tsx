import type { Settings } from '../api/types';
import { formatCount, formatDate } from '../lib/format';

/** Messages the gateway relayed for this session, per message type (`GET …/settings`). */
export function MessageStats({ stats }: { stats: Settings['message_stats'] }) {
  return (
    <section class="card" aria-labelledby="stats-title">
      <h2 id="stats-title">Message statistics</h2>
      <div class="mini-stats">
        <p>
          <span class="mini-value">{formatCount(stats.sent)}</span>
          <span class="mini-label">sent</span>
        </p>
        <p>
          <span class={stats.failed > 0 ? 'mini-value mini-bad' : 'mini-value'}>{formatCount(stats.failed)}</span>
          <span class="mini-label">failed</span>
        </p>
      </div>
      {stats.by_type.length === 0 ? (
        <p class="muted">No messages sent yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Messages by type</caption>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col" class="num">
                  Sent
                </th>
                <th scope="col" class="num">
                  Failed
                </th>
                <th scope="col">Last sent</th>
                <th scope="col">Last failure</th>
              </tr>
            </thead>
            <tbody>
              {stats.by_type.map((t) => (
                <tr key={t.message_type}>
                  <th scope="row">{t.message_type}</th>
                  <td class="num">{formatCount(t.sent)}</td>
                  <td class="num">{formatCount(t.failed)}</td>
                  <td>{formatDate(t.last_success_at)}</td>
                  <td>{formatDate(t.last_failed_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
