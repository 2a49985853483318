/**
 * A bounded map with a time to live: the oldest entry goes when it is full, and an entry older than
 * its TTL is a miss. Bounded by design: no cache in this process grows with its traffic.
 */
export function createTtlCache<K, V>(options: { max: number; ttlMs: number; now: () => number }) {
  const entries = new Map<K, { value: V; at: number }>();
  return {
    get(key: K): V | undefined {
      const hit = entries.get(key);
      if (!hit) return undefined;
      if (options.now() - hit.at > options.ttlMs) {
        entries.delete(key);
        return undefined;
      }
      return hit.value;
    },
    set(key: K, value: V): void {
      entries.delete(key);
      entries.set(key, { value, at: options.now() });
      if (entries.size > options.max) entries.delete(entries.keys().next().value as K);
    },
    delete: (key: K) => entries.delete(key),
    /** Drops every entry whose value matches, e.g. all tokens of one user. */
    deleteWhere(match: (value: V) => boolean): void {
      for (const [key, hit] of entries) if (match(hit.value)) entries.delete(key);
    },
    clear: () => entries.clear(),
    get size() {
      return entries.size;
    },
  };
}
