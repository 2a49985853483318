import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { LinkApi } from '../api/link';
import type { LinkState } from '../api/types';
import { isImageDataUrl } from '../lib/format';
import { usePoll } from '../lib/poll';
import type { SessionStream } from './use-session-stream';

/** Events a fresh connect subscribes to when the provider reports none for the session. */
const DEFAULT_SUBSCRIBE = ['Message'];

/**
 * Starts the provider's client unless it runs already. A session that is linked comes back with
 * `loggedIn`, and the caller shows it as connected instead of asking for a QR code.
 */
export async function ensureConnected(link: LinkApi): Promise<LinkState> {
  const state = await link.status();
  if (!state.loggedIn && !state.connected) {
    const events = state.events
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    await link.connect(events.length > 0 ? events : DEFAULT_SUBSCRIBE);
  }
  return state;
}

/** A fresh connection: a connected client is stopped first (a silent one keeps its dead connection otherwise). */
export async function reconnect(link: LinkApi): Promise<void> {
  const state = await link.status();
  if (state.connected) await link.disconnect();
  await ensureConnected(link);
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const says = (error: unknown, pattern: RegExp) => error instanceof ApiError && pattern.test(error.detail);

export type QrPhase = 'starting' | 'waiting' | 'expired';

/**
 * The QR flow: connect, then ask for the code every two seconds, so a rotated code replaces the
 * old one and a scan is seen within two seconds ("already logged in" is the provider's word for it).
 */
export function useQrFlow(link: LinkApi, onPaired: (jid: string) => void, stream?: Pick<SessionStream, 'live' | 'state' | 'qr'>) {
  const [phase, setPhase] = useState<QrPhase>('starting');
  const [qr, setQr] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    setPhase('starting');
    setProblem(null);
    ensureConnected(link).then(
      (s) => (s.loggedIn ? onPaired(s.jid) : setPhase('waiting')),
      (e) => setProblem(message(e)),
    );
  }, [link, attempt]);
  // The live stream says when the phone is linked, and carries each new code when QR events are relayed.
  useEffect(() => {
    if (phase === 'waiting' && stream?.live && stream.state?.logged_in) onPaired(stream.state.jid);
  }, [phase, stream?.live, stream?.state]);
  useEffect(() => {
    if (stream?.qr) setQr(stream.qr);
  }, [stream?.qr]);
  usePoll(
    async () => {
      try {
        const code = await link.qr();
        setProblem(null);
        if (isImageDataUrl(code)) setQr(code);
      } catch (error) {
        if (says(error, /already (logged in|paired)/)) onPaired((await link.status()).jid);
        else if (says(error, /^(no session|not connected)$/)) {
          setQr('');
          setPhase('expired');
        } else setProblem(message(error));
      }
    },
    2_000,
    // Polled only while no code comes through the stream (not relay mode, or QR not among its events).
    phase === 'waiting' && !(stream?.live && stream.qr),
  );
  return { phase, qr, problem, restart: () => setAttempt((n) => n + 1) };
}
