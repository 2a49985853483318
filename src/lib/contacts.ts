import { stableJson } from './json.js';
import { clipText, toPgJson, toPgText } from './pg-text.js';

/** One contact as the gateway keeps it, parsed from the provider's map (provider-contract §5). */
export interface ParsedContact {
  jid: string;
  name: string;
  phone: string;
  raw: Record<string, unknown>;
}

interface ContactInfo {
  FullName?: string;
  PushName?: string;
  BusinessName?: string;
  FirstName?: string;
}

/** The best name the provider knows, in the order a person would recognise it. */
export function contactName(info: ContactInfo): string {
  return info.FullName || info.PushName || info.BusinessName || info.FirstName || '';
}

/** The phone is the user part of a phone JID (`628…:12@s.whatsapp.net` → `628…`); LIDs and groups have none. */
export function phoneFromJid(jid: string): string {
  const at = jid.indexOf('@');
  if (at <= 0 || jid.slice(at + 1) !== 's.whatsapp.net') return '';
  return jid.slice(0, at).split(':')[0]!;
}

/**
 * The provider's `data` map → contacts, one per JID (go-service-api B23 read the envelope itself).
 * Names are typed by strangers: text PostgreSQL refuses is cleaned here, so one contact can never fail
 * the whole sync (issue 11 §7).
 */
export function parseContactMap(map: Record<string, ContactInfo>): ParsedContact[] {
  const byJid = new Map<string, ParsedContact>();
  for (const [key, given] of Object.entries(map)) {
    const jid = clipText(toPgText(key).trim(), 255);
    if (jid === '') continue;
    const info = toPgJson(given);
    byJid.set(jid, {
      jid,
      name: clipText(contactName(info), 255),
      phone: clipText(phoneFromJid(jid), 64),
      raw: info as Record<string, unknown>,
    });
  }
  return [...byJid.values()];
}

export interface StoredContact {
  j_id: string;
  name: string | null;
  phone: string | null;
  raw: Record<string, unknown> | null;
}
export interface ContactDiff {
  added: ParsedContact[];
  changed: ParsedContact[];
  removed: string[];
  unchanged: number;
}

/** What a sync must write so the cache equals the provider's list (SPEC §3: report added/updated/removed). */
export function diffContacts(stored: StoredContact[], incoming: ParsedContact[]): ContactDiff {
  const before = new Map(stored.map((c) => [c.j_id, c]));
  const diff: ContactDiff = { added: [], changed: [], removed: [], unchanged: 0 };
  for (const contact of incoming) {
    const old = before.get(contact.jid);
    before.delete(contact.jid);
    if (!old) diff.added.push(contact);
    else if (old.name !== contact.name || old.phone !== contact.phone || stableJson(old.raw) !== stableJson(contact.raw))
      diff.changed.push(contact);
    else diff.unchanged += 1;
  }
  diff.removed = [...before.keys()];
  return diff;
}
