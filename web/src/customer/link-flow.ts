import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { LinkApi } from '../api/link';
import type { LinkState } from '../api/types';
import { isImageDataUrl } from '../lib/format';
import { usePoll } from '../lib/poll';

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

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const says = (error: unknown, pattern: RegExp) => error instanceof ApiError && pattern.test(error.detail);

export type QrPhase = 'starting' | 'waiting' | 'expired';

/**
 * The QR flow: connect, then ask for the code every two seconds, so a rotated code replaces the
 * old one and a scan is seen within two seconds ("already logged in" is the provider's word for it).
 */
export function useQrFlow(link: LinkApi, onPaired: (jid: string) => void) {
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
    phase === 'waiting',
  );
  return { phase, qr, problem, restart: () => setAttempt((n) => n + 1) };
}
