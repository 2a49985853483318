import { useEffect, useState } from 'preact/hooks';
import type { Session, UsageCounts, UsageReport } from '../api/types';
import { Notice, Spinner } from '../components/notice';
import { UsageChart } from '../components/usage-chart';
import { formatCount, formatDay } from '../lib/format';
import { useCustomer } from './context';

interface Months {
  /** The session these figures are for ('' for all): the label follows what is shown, not what is being loaded. */
  sessionId: string;
  chart: UsageReport;
  thisMonth: UsageCounts;
  lastMonth: UsageCounts;
}

const monthOf = (date: string) => date.slice(0, 7);
/** The first day of the month before the one `date` is in. */
function lastMonthStart(date: string): string {
  const d = new Date(`${monthOf(date)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 10);
}
function sum(report: UsageReport, month: string): UsageCounts {
  const total = { sent: 0, failed: 0, received: 0 };
  for (const d of report.days.filter((day) => monthOf(day.date) === month)) {
    total.sent += d.sent;
    total.failed += d.failed;
    total.received += d.received;
  }
  return total;
}

/**
 * The last 30 days as the gateway counts them (its own "today" in Asia/Jakarta), then this month and
 * the last from a second read that starts on the first day of last month.
 */
async function loadMonths(sessionId: string, read: (q: { from?: string; to?: string }) => Promise<UsageReport>): Promise<Months> {
  const chart = await read({});
  const months = await read({ from: lastMonthStart(chart.to), to: chart.to });
  return { sessionId, chart, thisMonth: sum(months, monthOf(chart.to)), lastMonth: sum(months, monthOf(lastMonthStart(chart.to))) };
}

function Figure({ label, counts }: { label: string; counts: UsageCounts }) {
  return (
    <section class="stat-card">
      <h3 class="stat-label">{label}</h3>
      <p class="stat-value">{formatCount(counts.sent)}</p>
      <p class="stat-note">
        sent · {formatCount(counts.failed)} failed · {formatCount(counts.received)} received
      </p>
    </section>
  );
}

/** The customer's usage (issue 17): a 30-day chart for all sessions or one, this month, last month and the quota used. */
export function UsagePanel({ sessions }: { sessions: Session[] }) {
  const { api, me } = useCustomer();
  const [sessionId, setSessionId] = useState('');
  const [data, setData] = useState<Months | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // A choice made while the previous one is still loading wins, whichever answer comes last.
    let current = true;
    loadMonths(sessionId, (q) => api.usage({ ...q, sessionId })).then(
      (m) => {
        if (!current) return;
        setData(m);
        setError(null);
      },
      (e: Error) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  }, [api, sessionId]);
  const { quota } = me;
  return (
    <section class="section card" aria-labelledby="usage-title">
      <div class="usage-head">
        <h2 id="usage-title">Usage, last 30 days</h2>
        <label class="filter">
          <span>Session</span>
          <select aria-label="Session" value={sessionId} onChange={(e) => setSessionId(e.currentTarget.value)}>
            <option value="">All sessions</option>
            {sessions.map((s) => (
              <option key={s.session_id} value={s.session_id}>
                {s.session_name || s.session_id}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {!data && !error && <Spinner label="Loading usage…" />}
      {data && (
        <>
          <div class="stat-grid usage-figures">
            <Figure label="This month" counts={data.thisMonth} />
            <Figure label="Last month" counts={data.lastMonth} />
            <section class="stat-card">
              <h3 class="stat-label">Quota used this period</h3>
              <p class="stat-value">
                {formatCount(quota.used)}
                {quota.max_messages > 0 && <span class="stat-of"> / {formatCount(quota.max_messages)}</span>}
              </p>
              <p class="stat-note">
                {quota.max_messages > 0 ? 'messages of the plan' : 'unlimited plan'}
                {quota.period_started_at ? ` · since ${formatDay(quota.period_started_at)}` : ''}
              </p>
            </section>
          </div>
          <UsageChart
            days={data.chart.days}
            label={`Messages per day from ${data.chart.from} to ${data.chart.to}${data.sessionId ? ` for session ${data.sessionId}` : ''}`}
          />
          <p class="hint">Days are calendar days in Asia/Jakarta. Received messages are counted when the gateway relays your webhooks.</p>
        </>
      )}
    </section>
  );
}
