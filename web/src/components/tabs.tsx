import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';

interface Props<T extends string> {
  label: string;
  tabs: Array<[T, string]>;
  current: T;
  onSelect: (tab: T) => void;
  children: ComponentChildren;
}

/** WAI-ARIA tabs: arrow keys move between tabs, and only the chosen panel is rendered. */
export function Tabs<T extends string>({ label, tabs, current, onSelect, children }: Props<T>) {
  const list = useRef<HTMLDivElement>(null);
  const onKeyDown = (event: KeyboardEvent) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const index = (tabs.findIndex(([id]) => id === current) + step + tabs.length) % tabs.length;
    onSelect(tabs[index]![0]);
    list.current?.querySelectorAll<HTMLButtonElement>('[role=tab]')[index]?.focus();
  };
  return (
    <>
      <div class="tabs" role="tablist" aria-label={label} ref={list} onKeyDown={onKeyDown}>
        {tabs.map(([id, text]) => (
          <button
            key={id}
            type="button"
            role="tab"
            id={`tab-${id}`}
            aria-selected={id === current}
            aria-controls={`panel-${id}`}
            tabIndex={id === current ? 0 : -1}
            class={id === current ? 'tab tab-on' : 'tab'}
            onClick={() => onSelect(id)}
          >
            {text}
          </button>
        ))}
      </div>
      <div class="tab-panel" role="tabpanel" id={`panel-${current}`} aria-labelledby={`tab-${current}`}>
        {children}
      </div>
    </>
  );
}
