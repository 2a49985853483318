/**
 * JSON with object keys sorted: PostgreSQL's jsonb and the provider reorder keys, so equal values
 * must compare (and hash) equal whatever order their keys arrived in.
 */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(record[k])}`)
    .join(',')}}`;
}

/**
 * A field of a body genfity-wa will decode: Go's encoding/json matches keys without regard to case
 * (provider-contract, preamble), so `Phone`, `phone` and `PHONE` are the same field. `names` are lower case.
 */
export function goField(body: Record<string, unknown>, ...names: string[]): unknown {
  return Object.entries(body).find(([key]) => names.some((name) => goKeyMatches(key, name)))?.[1];
}

/**
 * Whether Go would decode JSON key `key` into the field named `name` (lower case): equal under Unicode
 * case folding, as bytes.EqualFold, so the Kelvin sign matches `k` and the long s matches `s`.
 */
export function goKeyMatches(key: string, name: string): boolean {
  return key.toLowerCase() === name || key.toUpperCase().toLowerCase() === name;
}
