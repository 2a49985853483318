import { useState } from 'preact/hooks';
import type { OperatorApi } from '../api/operator';
import { Field } from '../components/field';
import { Modal, ModalFooter } from '../components/modal';
import { dayAfter, endOfDay } from '../lib/format';
import { useAction } from '../lib/use-async';
import { PlanLimitFields } from './plan-limit-fields';
import type { Revealed } from './users-panel';

interface Props {
  api: OperatorApi;
  scopedSource: string | null;
  onCreated: (r: Revealed) => void;
}

const blank = (source: string) => ({ userId: '', source, expires: dayAfter(30), maxSessions: '1', maxMessages: '0' });

/**
 * `POST /internal/users` is an upsert: a new user gets a key (shown once), an existing one only
 * has its subscription changed and answers with an empty key.
 */
export function CreateUser({ api, scopedSource, onCreated }: Props) {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState(() => blank(scopedSource ?? ''));
  const { busy, outcome, setOutcome, run } = useAction();
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));
  const submit = async (event: Event) => {
    event.preventDefault();
    await run(async () => {
      const res = await api.createUser({
        user_id: form.userId.trim(),
        source: form.source.trim(),
        expires_at: endOfDay(form.expires),
        max_sessions: Number(form.maxSessions),
        max_messages: Number(form.maxMessages),
      });
      onCreated({ userId: res.user_id, apiKey: res.api_key });
      if (!res.api_key) return 'That user already existed: its subscription was updated and its key is unchanged.';
      setOpen(false);
      setForm(blank(scopedSource ?? ''));
    });
  };
  return (
    <>
      <button
        type="button"
        class="button button-primary"
        onClick={() => {
          setOutcome(null);
          setOpen(true);
        }}
      >
        New user
      </button>
      {open && (
        <Modal title="New user" onClose={() => setOpen(false)}>
          <form onSubmit={submit}>
            <Field
              label="User ID"
              value={form.userId}
              onInput={(userId) => set({ userId })}
              required
              hint="The customer's id in your own system."
            />
            <Field
              label="Source"
              value={form.source}
              onInput={(source) => set({ source })}
              required
              disabled={scopedSource !== null}
              hint="The service this customer belongs to."
            />
            <Field label="Subscription ends on" type="date" value={form.expires} onInput={(expires) => set({ expires })} required />
            <PlanLimitFields limits={form} onChange={set} />
            <ModalFooter
              outcome={outcome}
              onCancel={() => setOpen(false)}
              action={{ label: 'Create user', busyLabel: 'Creating…', busy }}
            />
          </form>
        </Modal>
      )}
    </>
  );
}
