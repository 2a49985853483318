// PostgreSQL text cannot hold U+0000 at all, and jsonb refuses the escape `\u0000` and any UTF-16
// surrogate without its pair (JSON.stringify writes one as `\udXXX`). Strangers type WhatsApp names
// and messages, so such a character must cost one character, never the whole write (issue 11 §7).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `value` as PostgreSQL text and jsonb accept it: NUL removed, a lone surrogate replaced by U+FFFD, all else kept. */
export function toPgText(value: string): string {
  return value.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\ufffd');
}

/**
 * A JSON value (as JSON.parse gives it) with `toPgText` applied to every string and every object key,
 * so it can be stored as jsonb. Keys that become equal keep the last value, as JSON.parse does.
 */
export function toPgJson<T>(value: T): T {
  if (typeof value === 'string') return toPgText(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(toPgJson) as T;
  // fromEntries defines own properties, so a `__proto__` key stays a key, as JSON.parse made it.
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [toPgText(key), toPgJson(item)])) as T;
}

/** The first `max` UTF-16 units of `value`, one fewer where the cut would split a surrogate pair. */
export function clipText(value: string, max: number): string {
  if (value.length <= max) return value;
  const last = value.charCodeAt(max - 1);
  return value.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
