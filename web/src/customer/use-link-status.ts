import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { isUnreachable } from '../api/client';
import { linkApi } from '../api/link';
import type { Health, LinkState, Session } from '../api/types';
import type { LinkStatus } from '../components/status-badge';
import { usePoll } from '../lib/poll';
import { useCustomer } from './context';
import { useSessionStream } from './use-session-stream';

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
 * The session's state as it changes: followed through the live event stream (SPEC §10), and, while
 * that is not open (refused, failing, or this tab's streams used up), asked through the token gateway
 * every `everyMs` instead (20 s keeps a page of many sessions well under the public rate limit). The
 * provider itself is asked once when the card appears: the stream tells what the gateway knows, not
 * whether genfity-wa answers now. Being down makes it "unreachable" (never an error page), asked
 * again every `everyMs` until it answers. `health` is the stream's, else the one the list last said.
 */
export function useLinkStatus(session: Session, everyMs = 20_000) {
  const { api } = useCustomer();
  const link = useMemo(() => linkApi(session.session_token), [session.session_token]);
  const stream = useSessionStream(api, session.session_id);
  const [live, setLive] = useState<LiveState>(() => fromRow(session));
  useEffect(() => {
    const s = stream.state;
    if (s)
      setLive((prev) =>
        prev.status === 'unreachable'
          ? prev
          : { status: statusOf({ connected: s.connected, loggedIn: s.logged_in }), jid: s.jid, detail: null },
      );
  }, [stream.state]);
  const refresh = useCallback(async () => {
    try {
      const s = await link.status();
      setLive({ status: statusOf(s), jid: s.jid, detail: null });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      setLive((prev) => ({ ...prev, status: isUnreachable(error) ? 'unreachable' : 'unknown', detail }));
    }
  }, [link]);
  usePoll(refresh, everyMs, Boolean(session.session_token) && (!stream.live || live.status === 'unreachable'));
  const health: Health = stream.live && stream.state ? stream.state.health : session.health;
  return { live, health, refresh, link, stream };
}
