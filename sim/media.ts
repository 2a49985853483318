import { createHash, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';

/** A decoded `data:` URL, as vincent-petithory/dataurl gives the provider. */
export interface DataUrl {
  mime: string;
  data: Buffer;
}

/** Parses `data:[mime][;params][;base64],payload`; null where dataurl.DecodeString fails. */
export function decodeDataUrl(text: string): DataUrl | null {
  const match = /^data:([^,]*),(.*)$/s.exec(text);
  if (!match) return null;
  const meta = (match[1] ?? '').split(';');
  const payload = match[2] ?? '';
  const isBase64 = meta[meta.length - 1]?.toLowerCase() === 'base64';
  if (isBase64) {
    const compact = payload.replace(/\s/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) return null;
    return { mime: meta[0] || 'text/plain', data: Buffer.from(compact, 'base64') };
  }
  try {
    return { mime: meta[0] || 'text/plain', data: Buffer.from(decodeURIComponent(payload), 'utf8') };
  } catch {
    return null;
  }
}

/** image.Decode only knows registered formats; anything else fails with "image: unknown format". */
export function isDecodableImage(data: Buffer): boolean {
  const startsWith = (bytes: number[], at = 0): boolean => bytes.every((b, i) => data[at + i] === b);
  return (
    startsWith([0x89, 0x50, 0x4e, 0x47]) ||
    startsWith([0xff, 0xd8, 0xff]) ||
    startsWith([0x47, 0x49, 0x46, 0x38]) ||
    (startsWith([0x52, 0x49, 0x46, 0x46]) && startsWith([0x57, 0x45, 0x42, 0x50], 8))
  );
}

export function isHttpUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

/**
 * The provider fetches media URLs through its SSRF-guarded client, which refuses private, loopback,
 * CGNAT and link-local targets (contract §8). The simulator does not fetch; it only applies that refusal.
 */
export function refusedMediaHost(text: string): boolean {
  let host: string;
  try {
    host = new URL(text).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return true;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 6) return host === '::1' || /^f[cd]|^fe80/i.test(host);
  if (isIP(host) !== 4) return false;
  const [a = 0, b = 0] = host.split('.').map(Number);
  return (
    a === 10 ||
    a === 127 ||
    a === 0 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

/** What whatsmeow's Upload returns, in the lowerCamel protobuf JSON the MessageSent webhook carries. */
export function uploadedMedia(data: Buffer, mime: string): Record<string, unknown> {
  const path = `/v/t62.7118-24/${randomBytes(8).toString('hex')}.enc`;
  return {
    URL: `https://mmg.whatsapp.net${path}`,
    directPath: path,
    mediaKey: randomBytes(32).toString('base64'),
    mimetype: mime,
    fileEncSHA256: randomBytes(32).toString('base64'),
    fileSHA256: createHash('sha256').update(data).digest('base64'),
    fileLength: data.length,
  };
}
