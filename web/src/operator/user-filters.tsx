import { useState } from 'preact/hooks';
import type { UserFilter } from '../api/operator';

interface Props {
  filter: UserFilter;
  scoped: boolean;
  onChange: (f: Pick<UserFilter, 'source' | 'status'>) => void;
}

/** Source is applied on submit (it is free text); status applies at once. A scoped key sees one source only. */
export function UserFilters({ filter, scoped, onChange }: Props) {
  const [source, setSource] = useState(filter.source);
  return (
    <form
      class="filters"
      aria-label="Filter users"
      onSubmit={(e) => {
        e.preventDefault();
        onChange({ source: source.trim(), status: filter.status });
      }}
    >
      <label class="filter">
        <span>Source</span>
        <input
          type="text"
          value={source}
          disabled={scoped}
          placeholder="All sources"
          spellcheck={false}
          onInput={(e) => setSource(e.currentTarget.value)}
        />
      </label>
      <label class="filter">
        <span>Status</span>
        <select
          value={filter.status}
          onChange={(e) => onChange({ source: filter.source, status: e.currentTarget.value as UserFilter['status'] })}
        >
          <option value="">All</option>
          <option value="active">Active</option>
          <option value="inactive">Deactivated</option>
        </select>
      </label>
      {!scoped && (
        <button type="submit" class="button button-secondary">
          Apply
        </button>
      )}
    </form>
  );
}
