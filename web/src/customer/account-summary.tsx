import type { Me } from '../api/types';
import { formatCount, formatDay } from '../lib/format';

const DAY_MS = 86_400_000;

function PlanCard({ me }: { me: Me }) {
  const sub = me.subscription;
  const days = Math.ceil((new Date(sub.expires_at).getTime() - Date.now()) / DAY_MS);
  const soon = sub.status === 'active' && days <= 7;
  return (
    <section class="stat-card" aria-labelledby="plan-title">
      <h2 id="plan-title" class="stat-label">
        Subscription
      </h2>
      <p class="stat-value">
        <span class={`badge badge-${sub.status === 'active' ? 'connected' : 'unreachable'}`}>
          <span class="dot" aria-hidden="true" />
          {sub.status === 'active' ? 'Active' : sub.status}
        </span>
      </p>
      <p class={soon ? 'stat-note stat-warn' : 'stat-note'}>
        {sub.status === 'active' ? `Runs until ${formatDay(sub.expires_at)}` : `Ended on ${formatDay(sub.expires_at)}`}
        {soon && days >= 0 ? ` — ${days === 0 ? 'today' : `in ${days} day${days === 1 ? '' : 's'}`}` : ''}
      </p>
    </section>
  );
}

function QuotaCard({ me }: { me: Me }) {
  const { quota } = me;
  const unlimited = quota.remaining === null || quota.max_messages <= 0;
  return (
    <section class="stat-card" aria-labelledby="quota-title">
      <h2 id="quota-title" class="stat-label">
        Messages left
      </h2>
      <p class="stat-value">{unlimited ? 'Unlimited' : formatCount(quota.remaining ?? 0)}</p>
      {!unlimited && (
        <meter
          class="quota-meter"
          min={0}
          max={quota.max_messages}
          low={quota.max_messages * 0.8}
          high={quota.max_messages * 0.95}
          optimum={0}
          value={quota.used}
          aria-label="Messages used"
        />
      )}
      <p class="stat-note">
        {unlimited
          ? `${formatCount(quota.used)} sent this period`
          : `${formatCount(quota.used)} of ${formatCount(quota.max_messages)} used`}
      </p>
    </section>
  );
}

function SessionsCard({ me, count }: { me: Me; count: number | null }) {
  const max = me.subscription.max_sessions ?? 1;
  return (
    <section class="stat-card" aria-labelledby="sessions-count-title">
      <h2 id="sessions-count-title" class="stat-label">
        Sessions
      </h2>
      <p class="stat-value">
        {count ?? '…'}
        <span class="stat-of"> / {max}</span>
      </p>
      <p class="stat-note">{count !== null && count >= max ? "Your plan's limit is reached" : 'WhatsApp numbers you can link'}</p>
    </section>
  );
}

/** What the plan allows and what is left of it, from `GET /v1/me`. */
export function AccountSummary({ me, sessionCount }: { me: Me; sessionCount: number | null }) {
  return (
    <div class="stat-grid">
      <PlanCard me={me} />
      <QuotaCard me={me} />
      <SessionsCard me={me} count={sessionCount} />
    </div>
  );
}
