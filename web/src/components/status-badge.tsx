export type LinkStatus = 'connected' | 'waiting' | 'disconnected' | 'unreachable' | 'checking' | 'unknown';

const LABELS: Record<LinkStatus, string> = {
  connected: 'Connected',
  waiting: 'Waiting to be linked',
  disconnected: 'Disconnected',
  unreachable: 'Unreachable',
  checking: 'Checking…',
  unknown: 'Unknown',
};

/** The words carry the meaning; the colour only repeats it. */
export function StatusBadge({ status }: { status: LinkStatus }) {
  return (
    <span class={`badge badge-${status}`}>
      <span class="dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
