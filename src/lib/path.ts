export type PathCheck = { ok: true; path: string; segments: string[] } | { ok: false; reason: string };

// Characters no genfity-wa route contains: after decoding they can only be an attempt to confuse
// the provider's router (backslash, NUL and other controls, a leftover percent, ?, #).
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this refuses
const FORBIDDEN = /[\\\0-\x1f\x7f%?#]/;

/**
 * Decodes and normalises the path a customer asked for, the way the provider's router would see
 * it (gorilla/mux decodes once and cleans `//`, `/./`, `/../`), so the allow-list decides on what
 * the provider would actually route (SPEC §4: `//admin`, `/%61dmin`, `/./admin`, `%2f`, `..`).
 * A `..` that would climb above the root, or any leftover encoding, is refused outright.
 */
export function normaliseGatewayPath(rawPath: string): PathCheck {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { ok: false, reason: 'malformed percent-encoding' };
  }
  if (FORBIDDEN.test(decoded)) return { ok: false, reason: 'forbidden character in path' };
  const segments: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) return { ok: false, reason: 'path climbs above the root' };
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  return { ok: true, path: `/${segments.join('/')}`, segments };
}

/** Re-encodes a normalised path for the provider URL, so a decoded `?` or `#` can never cut it (B21). */
export function encodePath(segments: string[]): string {
  return `/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
}
