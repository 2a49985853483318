import { useState } from 'preact/hooks';
import type { LinkApi } from '../api/link';
import { Field } from '../components/field';
import { OutcomeNotice } from '../components/notice';
import { usePoll } from '../lib/poll';
import { useAction } from '../lib/use-async';
import { ensureConnected } from './link-flow';

/** `ABCD1234` → `ABCD-1234`, the way WhatsApp shows the code it expects. */
const spaced = (code: string) => (code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code);

/** Link with a phone number: the provider issues a code that the person types into WhatsApp. */
export function LinkPhone({ link, onPaired }: { link: LinkApi; onPaired: (jid: string) => void }) {
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState<string | null>(null);
  const { busy, outcome, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const state = await ensureConnected(link);
      if (state.loggedIn) return onPaired(state.jid);
      setCode(await link.pairPhone(phone.replace(/\D/g, '')));
    });
  };
  usePoll(
    async () => {
      const s = await link.status();
      if (s.loggedIn) onPaired(s.jid);
    },
    3_000,
    code !== null,
  );
  if (code !== null) {
    return (
      <div class="linking">
        <p>Enter this code on the phone:</p>
        <output class="linking-code" aria-label={`Linking code ${code.split('').join(' ')}`}>
          {spaced(code)}
        </output>
        <ol class="steps">
          <li>
            In WhatsApp, open <strong>Linked devices</strong> → <strong>Link a device</strong>.
          </li>
          <li>
            Tap <strong>Link with phone number instead</strong> and type the code.
          </li>
        </ol>
        <p class="muted small" role="status">
          Waiting for the phone… this window updates by itself.
        </p>
        <button type="button" class="button button-secondary" onClick={() => setCode(null)}>
          Use another number
        </button>
      </div>
    );
  }
  return (
    <form class="linking" onSubmit={submit}>
      <Field
        label="Phone number"
        type="tel"
        inputMode="tel"
        value={phone}
        onInput={setPhone}
        required
        placeholder="628123456789"
        hint="The full international number of the WhatsApp account, with the country code and no leading 0."
      />
      <OutcomeNotice outcome={outcome} />
      <button type="submit" class="button button-primary" disabled={busy || phone.replace(/\D/g, '').length < 7}>
        {busy ? 'Asking for a code…' : 'Get a linking code'}
      </button>
    </form>
  );
}
