import { safeEqual } from './secrets.js';

/** One entry of INTERNAL_API_KEYS: scoped to a source (`name:value`) or global (`value`). */
export interface InternalKey {
  source: string | null;
  value: string;
}

export type InternalPrincipal = { mode: 'global'; source: null } | { mode: 'scoped'; source: string };

/**
 * SPEC §1: `service-a:keyA,globalKey`. Split at the first colon; the client sends only the value.
 * An empty source or value is refused at start-up (go-service-api B29: `:key` silently listed all users).
 */
export function parseInternalKeys(text: string): { keys: InternalKey[]; problems: string[] } {
  const keys: InternalKey[] = [];
  const problems: string[] = [];
  text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .forEach((entry, index) => {
      const colon = entry.indexOf(':');
      const source = colon === -1 ? null : entry.slice(0, colon).trim();
      const value = colon === -1 ? entry : entry.slice(colon + 1).trim();
      if (source === '') problems.push(`entry ${index + 1} has an empty source name before ":"`);
      else if (value === '') problems.push(`entry ${index + 1} has an empty key`);
      else keys.push({ source, value });
    });
  return { keys, problems };
}

/** Checks every entry in constant time (no early exit), first match in list order wins. */
export function matchInternalKey(keys: readonly InternalKey[], presented: string): InternalPrincipal | null {
  let found: InternalKey | null = null;
  for (const key of keys) {
    if (safeEqual(key.value, presented) && found === null) found = key;
  }
  if (found === null) return null;
  return found.source === null ? { mode: 'global', source: null } : { mode: 'scoped', source: found.source };
}
