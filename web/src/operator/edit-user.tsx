import { useState } from 'preact/hooks';
import type { OperatorApi } from '../api/operator';
import type { UpdateUserInput, UserItem } from '../api/types';
import { Field } from '../components/field';
import { Modal, ModalFooter } from '../components/modal';
import { dayAfter, endOfDay } from '../lib/format';
import { useAction } from '../lib/use-async';
import { PlanLimitFields } from './plan-limit-fields';

interface Props {
  api: OperatorApi;
  user: UserItem;
  onClose: () => void;
  onSaved: () => Promise<void>;
}

/** Extend or change a subscription: end date (with quick extensions), session and message limits. */
export function EditUser({ api, user, onClose, onSaved }: Props) {
  const sub = user.subscription;
  const [form, setForm] = useState({
    expires: sub ? sub.expires_at.slice(0, 10) : dayAfter(30),
    maxSessions: String(sub?.max_sessions ?? 1),
    maxMessages: String(sub?.max_messages ?? 0),
  });
  const { busy, outcome, run } = useAction();
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));
  const submit = async (event: Event) => {
    event.preventDefault();
    const body: UpdateUserInput = {
      expires_at: endOfDay(form.expires),
      max_sessions: Number(form.maxSessions),
      max_messages: Number(form.maxMessages),
    };
    if (
      await run(async () => {
        await api.updateUser(user.user_id, body);
        await onSaved();
      })
    )
      onClose();
  };
  return (
    <Modal title={`Subscription of ${user.user_id}`} onClose={onClose}>
      <form onSubmit={submit}>
        <Field
          label="Ends on"
          type="date"
          value={form.expires}
          onInput={(expires) => set({ expires })}
          required
          hint="The subscription runs to the end of this day (UTC)."
        />
        <div class="actions">
          {[30, 90, 365].map((days) => (
            <button
              key={days}
              type="button"
              class="button button-ghost button-small"
              onClick={() => set({ expires: dayAfter(days, sub?.expires_at) })}
            >
              +{days === 365 ? '1 year' : `${days} days`}
            </button>
          ))}
        </div>
        <PlanLimitFields limits={form} onChange={set} />
        <ModalFooter outcome={outcome} onCancel={onClose} action={{ label: 'Save subscription', busyLabel: 'Saving…', busy }} />
      </form>
    </Modal>
  );
}
