import { useState } from 'preact/hooks';
import type { OperatorApi } from '../api/operator';
import type { UserItem } from '../api/types';
import { SelectField } from '../components/field';
import { Modal, ModalFooter } from '../components/modal';
import { useAction } from '../lib/use-async';
import type { Revealed } from './users-panel';

/** SPEC §10: the replaced key may keep working for a while, so integrations can move without an outage. */
const GRACE = [
  { value: '0', label: 'None: it stops at once' },
  { value: '3600', label: '1 hour' },
  { value: '86400', label: '24 hours' },
  { value: '604800', label: '7 days' },
] as const;
type Grace = (typeof GRACE)[number]['value'];

interface Props {
  api: OperatorApi;
  user: UserItem;
  onClose: () => void;
  onReveal: (r: Revealed) => void;
}

/** Rotate a customer's key, keeping the old one working for none, 1 hour, 24 hours or 7 days. */
export function RotateKey({ api, user, onClose, onReveal }: Props) {
  const [grace, setGrace] = useState<Grace>('0');
  const { busy, outcome, run } = useAction();
  const rotate = async () => {
    const done = await run(async () => {
      const { api_key: apiKey } = await api.rotateKey(user.user_id, Number(grace));
      onReveal({ userId: user.user_id, apiKey });
    });
    if (done) onClose();
  };
  return (
    <Modal title={`Rotate the key of ${user.user_id}?`} onClose={onClose}>
      <p>A new key is issued and shown once. The customer's integrations must then be given the new key.</p>
      <SelectField
        label="Keep the old key working for"
        value={grace}
        options={[...GRACE]}
        onChange={setGrace}
        hint={
          grace === '0'
            ? 'Every call with the old key is refused from now on.'
            : 'Both keys work until then; the old one is refused after, on every gateway instance. Rotating again ends it at once.'
        }
      />
      <ModalFooter
        outcome={outcome}
        onCancel={onClose}
        action={{ label: 'Rotate key', busyLabel: 'Rotating…', busy, danger: true, onClick: () => void rotate() }}
      />
    </Modal>
  );
}
