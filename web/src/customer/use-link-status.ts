import { useCallback, useMemo, useState } from 'preact/hooks';
import { isUnreachable } from '../api/client';
import { linkApi } from '../api/link';
import type { LinkState, Session } from '../api/types';
import type { LinkStatus } from '../components/status-badge';
import { usePoll } from '../lib/poll';

export interface LiveState {
  status: LinkStatus;
  jid: string;
  detail: string | null;
}

export const statusOf = (s: Pick<LinkState, 'connected' | 'loggedIn'>): LinkStatus =>
  s.loggedIn ? 'connected' : s.connected ? 'waiting' : 'disconnected';

/** What the gateway last stored, so the card shows something before the first live answer. */
const fromRow = (session: Session): LiveState => ({
  status: statusOf({ connected: session.connected, loggedIn: session.logged_in }),
  jid: session.jid,
  detail: null,
});

/**
 * The session's state as the provider sees it now, asked through the token gateway every
 * `everyMs` (20 s keeps a page of many sessions well under the public rate limit). The provider
 * being down makes it "unreachable", never an error page.
 */
export function useLinkStatus(session: Session, everyMs = 20_000) {
  const link = useMemo(() => linkApi(session.session_token), [session.session_token]);
  const [live, setLive] = useState<LiveState>(() => fromRow(session));
  const refresh = useCallback(async () => {
    try {
      const s = await link.status();
      setLive({ status: statusOf(s), jid: s.jid, detail: null });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      setLive((prev) => ({ ...prev, status: isUnreachable(error) ? 'unreachable' : 'unknown', detail }));
    }
  }, [link]);
  usePoll(refresh, everyMs, Boolean(session.session_token));
  return { live, refresh, link };
}
