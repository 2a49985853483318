import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Modal } from './modal';

interface Props {
  label: string;
  title: string;
  confirmLabel: string;
  children: ComponentChildren;
  onConfirm: () => Promise<unknown> | undefined;
  danger?: boolean;
  disabled?: boolean;
  small?: boolean;
}

/** A button that asks first: destructive session and user actions are never one click away. */
export function ConfirmButton({ label, title, confirmLabel, children, onConfirm, danger, disabled, small }: Props) {
  const [open, setOpen] = useState(false);
  const tone = danger ? 'button-danger' : 'button-secondary';
  return (
    <>
      <button type="button" class={`button ${tone}${small ? ' button-small' : ''}`} disabled={disabled} onClick={() => setOpen(true)}>
        {label}
      </button>
      {open && (
        <Modal title={title} onClose={() => setOpen(false)}>
          <div class="confirm-text">{children}</div>
          <div class="actions actions-end">
            <button type="button" class="button button-secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button
              type="button"
              class={`button ${danger ? 'button-danger' : 'button-primary'}`}
              onClick={() => {
                setOpen(false);
                void onConfirm();
              }}
            >
              {confirmLabel}
            </button>
          </div>
        </Modal>
      )}
    </>
  );
}
