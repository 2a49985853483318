import { describe, expect, it } from 'vitest';
import { contactName, diffContacts, parseContactMap, phoneFromJid } from '../../src/lib/contacts.js';

describe('phoneFromJid', () => {
  it.each([
    ['6281111111111@s.whatsapp.net', '6281111111111'],
    ['6281111111111:12@s.whatsapp.net', '6281111111111'],
    ['123456789@lid', ''],
    ['120363000000000000@g.us', ''],
    ['status@broadcast', ''],
    ['no-at-sign', ''],
    ['@s.whatsapp.net', ''],
  ])('%s → %j', (jid, phone) => expect(phoneFromJid(jid)).toBe(phone));
});

describe('contactName', () => {
  it.each([
    [{ FullName: 'Full', PushName: 'Push', BusinessName: 'Biz', FirstName: 'First' }, 'Full'],
    [{ FullName: '', PushName: 'Push', BusinessName: 'Biz' }, 'Push'],
    [{ BusinessName: 'Biz', FirstName: 'First' }, 'Biz'],
    [{ FirstName: 'First' }, 'First'],
    [{}, ''],
  ])('%j → %j', (info, name) => expect(contactName(info)).toBe(name));
});

describe('parseContactMap', () => {
  it('one contact per JID, trimmed, blank keys dropped, raw kept', () => {
    const parsed = parseContactMap({
      ' 62811@s.whatsapp.net ': { FullName: 'A' },
      '62811@s.whatsapp.net': { FullName: 'B' },
      ' ': { FullName: 'C' },
    });
    expect(parsed).toEqual([{ jid: '62811@s.whatsapp.net', name: 'B', phone: '62811', raw: { FullName: 'B' } }]);
  });
});

describe('diffContacts', () => {
  const stored = [
    { j_id: 'a@s.whatsapp.net', name: 'A', phone: 'a', raw: { PushName: 'pa', FullName: 'A' } },
    { j_id: 'b@s.whatsapp.net', name: 'B', phone: 'b', raw: { FullName: 'B' } },
    { j_id: 'c@s.whatsapp.net', name: 'C', phone: 'c', raw: { FullName: 'C' } },
  ];
  const contact = (jid: string, name: string, raw: Record<string, unknown>) => ({ jid, name, phone: jid[0]!, raw });

  it('sorts the list into added, changed, removed and unchanged', () => {
    const diff = diffContacts(stored, [
      contact('a@s.whatsapp.net', 'A', { FullName: 'A', PushName: 'pa' }), // same, keys in another order
      contact('b@s.whatsapp.net', 'B2', { FullName: 'B2' }),
      contact('d@s.whatsapp.net', 'D', { FullName: 'D' }),
    ]);
    expect(diff.added.map((c) => c.jid)).toEqual(['d@s.whatsapp.net']);
    expect(diff.changed.map((c) => c.jid)).toEqual(['b@s.whatsapp.net']);
    expect(diff.removed).toEqual(['c@s.whatsapp.net']);
    expect(diff.unchanged).toBe(1);
  });

  it('an empty provider list removes everything; an empty cache adds everything', () => {
    expect(diffContacts(stored, []).removed).toHaveLength(3);
    expect(diffContacts([], [contact('x@s.whatsapp.net', 'X', {})]).added).toHaveLength(1);
  });

  it('a raw change alone is a change', () => {
    expect(diffContacts(stored, [contact('c@s.whatsapp.net', 'C', { FullName: 'C', Found: true })]).changed).toHaveLength(1);
  });
});
