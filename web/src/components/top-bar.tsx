import type { ComponentChildren } from 'preact';

interface Props {
  area: string;
  who?: ComponentChildren;
  onSignOut?: () => void;
}

/** The bar on every screen: which console this is, who is signed in, and the way out. */
export function TopBar({ area, who, onSignOut }: Props) {
  return (
    <header class="top-bar">
      <div class="brand">
        <span class="brand-mark" aria-hidden="true" />
        <span class="brand-name">WA Support Gateway</span>
        <span class="brand-area">{area}</span>
      </div>
      <div class="top-bar-end">
        {who && <span class="who">{who}</span>}
        {onSignOut && (
          <button type="button" class="button button-ghost" onClick={onSignOut}>
            Sign out
          </button>
        )}
      </div>
    </header>
  );
}
