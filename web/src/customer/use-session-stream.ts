import { useEffect, useState } from 'preact/hooks';
import type { CustomerApi } from '../api/customer';
import type { StreamStatus } from '../api/events';
import type { SessionState } from '../api/types';
import { isImageDataUrl } from '../lib/format';
import { describeEvent, describeState, type LogEntry } from './event-log-entry';

/**
 * Live event streams this tab may hold at once. The gateway allows five per user (EVENT_STREAMS_PER_USER):
 * three leave room for another tab; the sessions beyond them are polled, as when a stream fails.
 */
const BUDGET = 3;
let held = 0;
/** The live event log keeps this many entries, newest first (issue 16 §5). */
const LOG_SIZE = 100;

/**
 * The session's live event stream (SPEC §10): its state as it changes, the newest QR code when the
 * provider's QR events are relayed, and a log of what arrived. `status` other than `live` means the
 * caller polls instead.
 */
export function useSessionStream(api: CustomerApi, sessionId: string) {
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [state, setState] = useState<SessionState | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [log, setLog] = useState<LogEntry[]>([]);
  useEffect(() => {
    if (held >= BUDGET) {
      setStatus('off');
      return undefined;
    }
    held += 1;
    const add = (entry: LogEntry) => setLog((prev) => [entry, ...prev].slice(0, LOG_SIZE));
    const stop = api.followEvents(sessionId, {
      onStatus: setStatus,
      onState: (s) => {
        setState(s);
        add(describeState(s));
      },
      onEvent: (e) => {
        const entry = describeEvent(e);
        add(entry);
        if (entry.qr && isImageDataUrl(entry.qr)) setQr(entry.qr);
      },
    });
    return () => {
      held -= 1;
      stop();
    };
  }, [api, sessionId]);
  return { status, live: status === 'live', state, qr, log };
}
export type SessionStream = ReturnType<typeof useSessionStream>;
