import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { OperatorApi } from '../api/operator';
import type { Overview } from '../api/types';
import { Notice, Spinner } from '../components/notice';
import { UsageChart } from '../components/usage-chart';
import { formatCount } from '../lib/format';
import { usePoll } from '../lib/poll';
import { BASE, navigate } from '../lib/router';

/** A link into the users list with its filter in the query string (users-panel.tsx reads it). */
function UsersLink({ query, children }: { query: Record<string, string>; children: string }) {
  const to = `/operator/users?${new URLSearchParams(query)}`;
  return (
    <a
      href={BASE + to}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

function Stat({ label, value, note }: { label: string; value: number; note: string }) {
  return (
    <section class="stat-card">
      <h2 class="stat-label">{label}</h2>
      <p class="stat-value">{formatCount(value)}</p>
      <p class="stat-note">{note}</p>
    </section>
  );
}

function Counts({
  title,
  entries,
  link,
}: {
  title: string;
  entries: Array<[string, number]>;
  link?: (key: string) => Record<string, string>;
}) {
  return (
    <section class="card" aria-label={title}>
      <h2>{title}</h2>
      <ul class="overview-list">
        {entries.map(([key, n]) => (
          <li key={key}>
            {link ? <UsersLink query={link(key)}>{key}</UsersLink> : <span>{key}</span>}
            <span>{formatCount(n)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function TopUsers({ overview }: { overview: Overview }) {
  return (
    <section class="card" aria-labelledby="top-title">
      <h2 id="top-title">Top users this month</h2>
      {overview.top_users.length === 0 ? (
        <p class="muted">No messages this month yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col" class="num">
                  Sent
                </th>
                <th scope="col" class="num">
                  Failed
                </th>
                <th scope="col" class="num">
                  Received
                </th>
              </tr>
            </thead>
            <tbody>
              {overview.top_users.map((u) => (
                <tr key={u.user_id}>
                  <th scope="row">
                    <UsersLink query={{ source: u.source_service }}>{u.user_id}</UsersLink>
                  </th>
                  <td class="num">{formatCount(u.sent)}</td>
                  <td class="num">{formatCount(u.failed)}</td>
                  <td class="num">{formatCount(u.received)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The operator's overview (issue 17 §3), refreshed every minute. */
export function OverviewPanel({ api, onKeyRefused }: { api: OperatorApi; onKeyRefused: (why: string) => void }) {
  const [overview, setOverview] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);
  usePoll(async () => {
    try {
      setOverview(await api.overview());
      setError(null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) onKeyRefused(e.message);
      else setError(e instanceof Error ? e.message : String(e));
    }
  }, 60_000);
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!overview) return <Spinner label="Loading the overview…" />;
  const { messages, sessions, webhooks } = overview;
  const health = sessions.by_health
    ? Object.entries(sessions.by_health)
    : ([
        ['connected', sessions.connected],
        ['disconnected', sessions.disconnected],
      ] as Array<[string, number]>);
  return (
    <section class="section" aria-labelledby="overview-title">
      <div class="section-head">
        <h1 id="overview-title">Overview</h1>
        <span class="muted">{overview.source ? `Source “${overview.source}”` : 'All sources'} · Asia/Jakarta days</span>
      </div>
      <div class="stat-grid">
        <Stat
          label="Messages today"
          value={messages.today.sent}
          note={`sent · ${formatCount(messages.today.failed)} failed · ${formatCount(messages.today.received)} received`}
        />
        <Stat
          label="This month"
          value={messages.this_month.sent}
          note={`sent · ${formatCount(messages.this_month.failed)} failed · ${formatCount(messages.this_month.received)} received`}
        />
        <Stat
          label="Webhook backlog"
          value={webhooks.pending}
          note={`${formatCount(webhooks.retrying)} retrying · ${formatCount(webhooks.failed)} given up in 24 h`}
        />
      </div>
      <section class="section card" aria-labelledby="days-title">
        <h2 id="days-title">Messages, last 30 days</h2>
        <UsageChart days={messages.days} label={`Messages per day, all users, from ${messages.days[0]?.date} to ${overview.today}`} />
      </section>
      <div class="section panel-grid">
        <Counts title="Users by status" entries={Object.entries(overview.users)} link={(status) => ({ status })} />
        <Counts title={sessions.by_health ? 'Sessions by health' : 'Sessions'} entries={health} />
      </div>
      <div class="section">
        <TopUsers overview={overview} />
      </div>
    </section>
  );
}
