import { useState } from 'preact/hooks';
import { Field, Toggle } from '../components/field';
import { Modal, ModalFooter } from '../components/modal';
import { useAction } from '../lib/use-async';
import { useCustomer } from './context';

const EMPTY = { name: '', webhookUrl: '', webhookSecret: '', autoRead: false, typing: false };

/** "New session": a name and the optional webhook; linking a phone is the next step, on the card. */
export function CreateSession({ disabled, onCreated }: { disabled: boolean; onCreated: () => Promise<void> }) {
  const { api } = useCustomer();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState(EMPTY);
  const { busy, outcome, run } = useAction();
  const set = (patch: Partial<typeof EMPTY>) => setForm((f) => ({ ...f, ...patch }));
  const submit = async (event: Event) => {
    event.preventDefault();
    const ok = await run(async () => {
      await api.createSession({
        session_name: form.name.trim(),
        auto_read_enabled: form.autoRead,
        typing_enabled: form.typing,
        ...(form.webhookUrl.trim() ? { webhook_url: form.webhookUrl.trim() } : {}),
        ...(form.webhookSecret ? { webhook_secret: form.webhookSecret } : {}),
      });
      await onCreated();
    });
    if (ok) {
      setOpen(false);
      setForm(EMPTY);
    }
  };
  return (
    <>
      <button
        type="button"
        class="button button-primary"
        disabled={disabled}
        onClick={() => setOpen(true)}
        title={disabled ? "Your plan's session limit is reached" : undefined}
      >
        New session
      </button>
      {open && (
        <Modal title="New session" onClose={() => setOpen(false)}>
          <form onSubmit={submit}>
            <Field
              label="Name"
              value={form.name}
              onInput={(name) => set({ name })}
              required
              placeholder="Customer support"
              hint="Only you see it; it helps you tell sessions apart."
            />
            <Field
              label="Webhook URL (optional)"
              type="url"
              inputMode="url"
              value={form.webhookUrl}
              onInput={(webhookUrl) => set({ webhookUrl })}
              placeholder="https://example.com/whatsapp"
              hint="Incoming messages are sent here. You can set it later."
            />
            <Field
              label="Webhook secret (optional)"
              type="password"
              value={form.webhookSecret}
              onInput={(webhookSecret) => set({ webhookSecret })}
              hint="Used to sign each delivery so your server can check it came from us."
              autoComplete="new-password"
            />
            <Toggle label="Mark incoming messages as read" checked={form.autoRead} onChange={(autoRead) => set({ autoRead })} />
            <Toggle label="Show “typing…” before each reply" checked={form.typing} onChange={(typing) => set({ typing })} />
            <ModalFooter
              outcome={outcome}
              onCancel={() => setOpen(false)}
              action={{ label: 'Create session', busyLabel: 'Creating…', busy, disabled: !form.name.trim() }}
            />
          </form>
        </Modal>
      )}
    </>
  );
}
