import { useState } from 'preact/hooks';
import type { Session } from '../api/types';
import { Notice, OutcomeNotice } from '../components/notice';
import { StatusBadge } from '../components/status-badge';
import { formatCount, phoneFromJid } from '../lib/format';
import { BASE, navigate } from '../lib/router';
import { useAction } from '../lib/use-async';
import { HealthNote } from './health-note';
import { LinkModal } from './link-modal';
import { reconnect } from './link-flow';
import { SessionActions } from './session-actions';
import { useLinkStatus } from './use-link-status';

interface Props {
  session: Session;
  onChanged: () => Promise<void>;
}

function SessionFacts({ session, phone }: { session: Session; phone: string }) {
  return (
    <dl class="facts">
      <div class="fact-wide">
        <dt>Phone</dt>
        <dd class="phone">{phone || 'Not linked'}</dd>
      </div>
      <div>
        <dt>Sent</dt>
        <dd>{formatCount(session.last_message_sent)}</dd>
      </div>
      <div>
        <dt>Failed</dt>
        <dd>{formatCount(session.last_message_fail)}</dd>
      </div>
      <div>
        <dt>Webhook</dt>
        <dd>{session.webhook_url ? 'On' : 'Off'}</dd>
      </div>
    </dl>
  );
}

/** One session: live state, the linked number, and what can be done with it. */
export function SessionCard({ session, onChanged }: Props) {
  const { live, health, refresh, link, stream } = useLinkStatus(session);
  const [linking, setLinking] = useState(false);
  const action = useAction();
  const phone = phoneFromJid(live.jid || session.jid);
  // While the provider cannot be asked, the last number the gateway stored is still the best answer; a
  // session that lost its connection (disconnected, silent) is still linked to its number.
  const linked = health === 'disconnected' || health === 'silent';
  const showPhone =
    phone && (live.status === 'connected' || linked || ((live.status === 'unreachable' || live.status === 'unknown') && session.logged_in));
  // A linked phone is reconnected, not linked again.
  const canLink = (live.status === 'waiting' || live.status === 'disconnected') && !linked;
  const titleId = `session-${session.session_id}`;
  const detailPath = `/sessions/${encodeURIComponent(session.session_id)}`;
  const closeLink = () => {
    setLinking(false);
    void refresh();
    void onChanged();
  };
  return (
    <article
      class="card session-card"
      aria-labelledby={titleId}
      data-session-id={session.session_id}
      data-health={health}
      data-live={stream.live ? 'stream' : 'poll'}
    >
      <header class="session-head">
        <div class="session-title">
          <h2 id={titleId}>{session.session_name}</h2>
          <p class="mono muted small session-id" title={session.session_id}>
            {session.session_id}
          </p>
        </div>
        <StatusBadge status={live.status} />
      </header>
      <SessionFacts session={session} phone={showPhone ? phone : ''} />
      {live.status === 'unreachable' && (
        <Notice kind="info">
          The WhatsApp service is not answering, so this session's state is unknown right now. The console keeps checking.
        </Notice>
      )}
      {live.status === 'unknown' && live.detail && <Notice kind="error">{live.detail}</Notice>}
      {live.status !== 'unreachable' && (
        <HealthNote
          health={health}
          action={
            (health === 'disconnected' || health === 'silent') && (
              <button
                type="button"
                class="button button-secondary"
                disabled={action.busy}
                onClick={() =>
                  action.run(async () => {
                    await reconnect(link);
                    await refresh();
                    return 'Reconnecting. The state above changes as soon as WhatsApp answers.';
                  })
                }
              >
                Reconnect
              </button>
            )
          }
        />
      )}
      <OutcomeNotice outcome={action.outcome} />
      <div class="actions">
        {canLink && (
          <button type="button" class="button button-primary" onClick={() => setLinking(true)}>
            Link a phone
          </button>
        )}
        <a
          class="button button-secondary"
          href={BASE + detailPath}
          onClick={(e) => {
            e.preventDefault();
            navigate(detailPath);
          }}
        >
          Settings &amp; activity
        </a>
      </div>
      <div class="actions actions-quiet">
        <SessionActions
          session={session}
          status={live.status}
          link={link}
          action={action}
          onDone={async () => {
            await refresh();
            await onChanged();
          }}
        />
      </div>
      {linking && <LinkModal session={session} link={link} stream={stream} onClose={closeLink} />}
    </article>
  );
}
