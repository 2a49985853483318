/**
 * Go encoding/json and net/url behaviour the provider exposes on the wire. Bytes matter here: webhook
 * HMAC signatures cover the exact body, so key order, HTML escaping and form escaping must match Go.
 */

/** json.Marshal of a map: keys sorted at every level, `<`, `>`, `&`, U+2028/9 escaped (contract §7). */
export function goMarshal(value: unknown, sortKeys = true): string {
  const text = JSON.stringify(sortKeys ? sortDeep(value) : value) ?? 'null';
  return text
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortDeep((value as Record<string, unknown>)[key]);
  return out;
}

/** url.Values.Encode(): keys sorted, QueryEscape (space → '+', only [A-Za-z0-9-_.~] left bare). */
export function goFormEncode(values: Record<string, string>): string {
  return Object.keys(values)
    .sort()
    .map((key) => `${goQueryEscape(key)}=${goQueryEscape(values[key] ?? '')}`)
    .join('&');
}

function goQueryEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Field kinds of a Go struct the provider decodes into. A nested schema is a struct field. */
export type FieldKind = 'string' | 'bool' | 'number' | 'int' | 'strings' | 'objects' | 'jid' | 'any' | GoSchema;
export interface GoSchema {
  [name: string]: FieldKind;
}

export type Decoded = Record<string, unknown>;

/**
 * json.NewDecoder(body).Decode(&struct): keys match field names (or json tags) ignoring case, unknown
 * keys are dropped, a type mismatch or an empty body is an error (contract intro: case-insensitive keys).
 * Absent and null fields stay undefined so handlers can tell Go's nil pointers apart from "".
 */
export function decodeGo(raw: string, schema: GoSchema): Decoded | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (parsed === null) return {};
  return decodeStruct(parsed, schema);
}

function decodeStruct(input: unknown, schema: GoSchema): Decoded | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return null;
  const out: Decoded = {};
  for (const [key, value] of Object.entries(input)) {
    const field = matchField(key, schema);
    if (field === undefined || value === null) continue;
    const decoded = decodeField(value, schema[field] as FieldKind);
    if (decoded === INVALID) return null;
    out[field] = decoded;
  }
  return out;
}

const INVALID = Symbol('invalid');

function matchField(key: string, schema: GoSchema): string | undefined {
  if (Object.hasOwn(schema, key)) return key;
  const folded = key.toLowerCase();
  return Object.keys(schema).find((name) => name.toLowerCase() === folded);
}

function decodeField(value: unknown, kind: FieldKind): unknown {
  if (typeof kind === 'object') return decodeStruct(value, kind) ?? INVALID;
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? value : INVALID;
    case 'bool':
      return typeof value === 'boolean' ? value : INVALID;
    case 'number':
      return typeof value === 'number' ? value : INVALID;
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) ? value : INVALID;
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string' || v === null) ? value.map((v) => v ?? '') : INVALID;
    case 'objects':
      return Array.isArray(value) && value.every((v) => v === null || (typeof v === 'object' && !Array.isArray(v))) ? value : INVALID;
    case 'jid':
      return typeof value === 'string' && (value === '' || parseJid(value) !== null) ? value : INVALID;
    default:
      return value;
  }
}

/**
 * parseJID of wmiau.go: a leading '+' is stripped, a value without '@' becomes <value>@s.whatsapp.net
 * unvalidated, otherwise types.ParseJID must accept it and the user part must be non-empty.
 */
export function parseJid(arg: string): string | null {
  const value = arg.startsWith('+') ? arg.slice(1) : arg;
  if (!value.includes('@')) return `${value}@s.whatsapp.net`;
  const [user = '', server = '', ...rest] = value.split('@');
  if (rest.length > 0 || user === '') return null;
  const device = user.split(':')[1];
  if (device !== undefined && !/^\d+$/.test(device)) return null;
  return `${user}@${server}`;
}

export const str = (value: unknown): string => (typeof value === 'string' ? value : '');
export const bool = (value: unknown): boolean => value === true;
export const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
export const strs = (value: unknown): string[] => (Array.isArray(value) ? (value as string[]) : []);
export const obj = (value: unknown): Decoded => (value && typeof value === 'object' ? (value as Decoded) : {});
