import type { LinkApi } from '../api/link';
import type { Session } from '../api/types';
import { ConfirmButton } from '../components/confirm-button';
import type { LinkStatus } from '../components/status-badge';
import type { useAction } from '../lib/use-async';
import { useCustomer } from './context';

interface Props {
  session: Session;
  status: LinkStatus;
  link: LinkApi;
  action: ReturnType<typeof useAction>;
  onDone: () => Promise<void>;
}

/** Disconnect, log out and delete: each one asks first and says what it will do. */
export function SessionActions({ session, status, link, action, onDone }: Props) {
  const { api } = useCustomer();
  const { busy, run } = action;
  const name = session.session_name;
  const act = (work: () => Promise<unknown>, done: string) =>
    run(async () => {
      await work();
      await onDone();
      return done;
    });
  return (
    <>
      <ConfirmButton
        small
        label="Disconnect"
        title="Disconnect this session?"
        confirmLabel="Disconnect"
        disabled={busy || (status !== 'connected' && status !== 'waiting')}
        onConfirm={() => act(link.disconnect, 'Disconnected. The phone stays linked; connect again to resume.')}
      >
        <p>
          <strong>{name}</strong> stops receiving and sending messages until it is connected again. The phone stays linked.
        </p>
      </ConfirmButton>
      <ConfirmButton
        small
        label="Log out"
        title="Log out this session?"
        confirmLabel="Log out"
        danger
        disabled={busy || status !== 'connected'}
        onConfirm={() => act(link.logout, 'Logged out. Link a phone again to use this session.')}
      >
        <p>
          <strong>{name}</strong> is unlinked from its phone. To use it again you will scan a new QR code.
        </p>
      </ConfirmButton>
      <ConfirmButton
        small
        label="Delete"
        title="Delete this session?"
        confirmLabel="Delete for good"
        danger
        disabled={busy}
        onConfirm={() =>
          run(async () => {
            await api.deleteSession(session.session_id);
            await onDone();
          })
        }
      >
        <p>
          <strong>{name}</strong>, its contacts and its statistics are removed everywhere. This cannot be undone.
        </p>
      </ConfirmButton>
    </>
  );
}
