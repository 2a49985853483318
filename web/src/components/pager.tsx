interface Props {
  meta: { page: number; limit: number; total: number };
  /** What is counted, singular ("user"); an "s" is added for other counts. */
  noun: string;
  /** The navigation's accessible name ("Pages of users"). */
  label: string;
  onPage: (page: number) => void;
  previous?: string;
  next?: string;
}

/** Previous / next through a paged list, with where one is and how many there are. */
export function Pager({ meta, noun, label, onPage, previous = '← Previous', next = 'Next →' }: Props) {
  const pages = Math.max(1, Math.ceil(meta.total / meta.limit));
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" class="button button-secondary button-small" disabled={meta.page <= 1} onClick={() => onPage(meta.page - 1)}>
        {previous}
      </button>
      <span role="status">
        Page {meta.page} of {pages} · {meta.total} {noun}
        {meta.total === 1 ? '' : 's'}
      </span>
      <button
        type="button"
        class="button button-secondary button-small"
        disabled={meta.page >= pages}
        onClick={() => onPage(meta.page + 1)}
      >
        {next}
      </button>
    </nav>
  );
}
