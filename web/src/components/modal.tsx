import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { Outcome } from '../lib/use-async';
import { OutcomeNotice } from './notice';

interface Props {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
}

/**
 * A native modal `<dialog>`: the browser traps focus, Escape closes it and the page behind is
 * inert, which is the accessible behaviour without a library.
 */
export function Modal({ title, onClose, children, wide }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class={wide ? 'modal modal-wide' : 'modal'}
      aria-label={title}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header class="modal-head">
        <h2>{title}</h2>
        <button type="button" class="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      <div class="modal-body">{children}</div>
    </dialog>
  );
}

interface FooterProps {
  outcome: Outcome | null;
  onCancel: () => void;
  /** The dialog's action: submits its form, or runs `onClick` when given. Shows `busyLabel` while busy. */
  action: { label: string; busyLabel: string; busy: boolean; disabled?: boolean; danger?: boolean; onClick?: () => void };
}

/** A dialog's last lines: what its action came to, then Cancel and the action. */
export function ModalFooter({ outcome, onCancel, action }: FooterProps) {
  return (
    <>
      <OutcomeNotice outcome={outcome} />
      <div class="actions actions-end">
        <button type="button" class="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
        <button
          type={action.onClick ? 'button' : 'submit'}
          class={action.danger ? 'button button-danger' : 'button button-primary'}
          disabled={action.busy || action.disabled === true}
          onClick={action.onClick}
        >
          {action.busy ? action.busyLabel : action.label}
        </button>
      </div>
    </>
  );
}
