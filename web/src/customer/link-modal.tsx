import { useState } from 'preact/hooks';
import type { LinkApi } from '../api/link';
import type { Session } from '../api/types';
import { Modal } from '../components/modal';
import { phoneFromJid } from '../lib/format';
import { LinkPhone } from './link-phone';
import { LinkQr } from './link-qr';
import type { SessionStream } from './use-session-stream';

type Mode = 'qr' | 'phone';
const MODES: Array<[Mode, string]> = [
  ['qr', 'Scan a QR code'],
  ['phone', 'Use a phone number'],
];

/** Linking a WhatsApp number to a session, by QR or by pairing code; ends on "connected". */
export function LinkModal({
  session,
  link,
  stream,
  onClose,
}: {
  session: Session;
  link: LinkApi;
  stream?: SessionStream;
  onClose: () => void;
}) {
  const [mode, setMode] = useState<Mode>('qr');
  const [paired, setPaired] = useState<string | null>(null);
  return (
    <Modal title={`Link “${session.session_name}”`} onClose={onClose} wide>
      {paired !== null ? (
        <div class="paired" role="status">
          <span class="paired-mark" aria-hidden="true">
            ✓
          </span>
          <p class="paired-title">Connected</p>
          <p class="paired-phone">{phoneFromJid(paired) || 'The phone is linked.'}</p>
          <button type="button" class="button button-primary" onClick={onClose}>
            Done
          </button>
        </div>
      ) : (
        <>
          <fieldset class="segmented" aria-label="How to link">
            {MODES.map(([value, label]) => (
              <button
                key={value}
                type="button"
                class={mode === value ? 'segment segment-on' : 'segment'}
                aria-pressed={mode === value}
                onClick={() => setMode(value)}
              >
                {label}
              </button>
            ))}
          </fieldset>
          {mode === 'qr' ? <LinkQr link={link} stream={stream} onPaired={setPaired} /> : <LinkPhone link={link} onPaired={setPaired} />}
        </>
      )}
    </Modal>
  );
}
