import type { LinkApi } from '../api/link';
import { Notice, Spinner } from '../components/notice';
import { useQrFlow } from './link-flow';
import type { SessionStream } from './use-session-stream';

/** Scan-to-link: the provider's current QR code, kept fresh as it rotates. */
export function LinkQr({ link, stream, onPaired }: { link: LinkApi; stream?: SessionStream | undefined; onPaired: (jid: string) => void }) {
  const { phase, qr, problem, restart } = useQrFlow(link, onPaired, stream);
  return (
    <div class="link-layout">
      <div class="qr-frame" aria-live="polite">
        {phase === 'waiting' && qr && <img class="qr" src={qr} width={256} height={256} alt="QR code to scan with WhatsApp" />}
        {phase === 'starting' && !problem && <Spinner label="Starting the session…" />}
        {phase === 'waiting' && !qr && !problem && <Spinner label="Waiting for a QR code…" />}
        {phase === 'expired' && (
          <div class="qr-expired">
            <p>The QR code expired before it was scanned.</p>
            <button type="button" class="button button-primary" onClick={restart}>
              Show a new code
            </button>
          </div>
        )}
      </div>
      <div>
        <ol class="steps">
          <li>
            Open <strong>WhatsApp</strong> on your phone.
          </li>
          <li>
            Go to <strong>Settings</strong> (or the menu) → <strong>Linked devices</strong>.
          </li>
          <li>
            Tap <strong>Link a device</strong> and point the camera at this code.
          </li>
        </ol>
        <p class="muted small">
          The code changes every few seconds; this window always shows the current one and closes the loop as soon as the phone is linked.
        </p>
        {problem && <Notice kind="error">{problem}</Notice>}
        {problem && phase !== 'waiting' && (
          <button type="button" class="button button-secondary" onClick={restart}>
            Try again
          </button>
        )}
      </div>
    </div>
  );
}
