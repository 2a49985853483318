import type { ComponentChildren } from 'preact';
import type { Outcome } from '../lib/use-async';

/** Errors interrupt a screen reader (alert); successes and hints wait their turn (status). */
export function Notice({ kind, children }: { kind: Outcome['kind']; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function OutcomeNotice({ outcome }: { outcome: Outcome | null }) {
  return outcome ? <Notice kind={outcome.kind}>{outcome.text}</Notice> : null;
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}
