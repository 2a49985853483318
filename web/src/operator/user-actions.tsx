import { useState } from 'preact/hooks';
import type { OperatorApi } from '../api/operator';
import type { UserItem } from '../api/types';
import { ConfirmButton } from '../components/confirm-button';
import { OutcomeNotice } from '../components/notice';
import { useAction } from '../lib/use-async';
import { EditUser } from './edit-user';
import { RotateKey } from './rotate-key';
import { UserHistory } from './user-history';
import type { Revealed } from './users-panel';

interface Props {
  api: OperatorApi;
  user: UserItem;
  onChanged: () => Promise<void>;
  onReveal: (r: Revealed) => void;
}

/** Per-user actions; the ones that lock a customer out ask first. */
export function UserActions({ api, user, onChanged, onReveal }: Props) {
  const [editing, setEditing] = useState(false);
  const [open, setOpen] = useState<'rotate' | 'history' | null>(null);
  const { busy, outcome, run } = useAction();
  const active = user.status === 'active';
  const setStatus = () =>
    run(async () => {
      await api.updateUser(user.user_id, { status: active ? 'inactive' : 'active' });
      await onChanged();
    });
  return (
    <div class="row-actions">
      <button type="button" class="button button-secondary button-small" onClick={() => setEditing(true)}>
        Subscription
      </button>
      <button type="button" class="button button-danger button-small" disabled={busy} onClick={() => setOpen('rotate')}>
        Rotate key
      </button>
      <button type="button" class="button button-secondary button-small" onClick={() => setOpen('history')}>
        History
      </button>
      <ConfirmButton
        small
        label={active ? 'Deactivate' : 'Activate'}
        title={`${active ? 'Deactivate' : 'Activate'} ${user.user_id}?`}
        confirmLabel={active ? 'Deactivate' : 'Activate'}
        danger={active}
        disabled={busy}
        onConfirm={setStatus}
      >
        <p>
          {active
            ? "Every call with this customer's key is refused until the account is activated again. Sessions are kept."
            : "The customer's key works again."}
        </p>
      </ConfirmButton>
      <OutcomeNotice outcome={outcome} />
      {editing && <EditUser api={api} user={user} onClose={() => setEditing(false)} onSaved={onChanged} />}
      {open === 'rotate' && <RotateKey api={api} user={user} onClose={() => setOpen(null)} onReveal={onReveal} />}
      {open === 'history' && <UserHistory api={api} userId={user.user_id} onClose={() => setOpen(null)} />}
    </div>
  );
}
