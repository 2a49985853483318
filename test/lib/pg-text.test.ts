import { describe, expect, it } from 'vitest';
import { parseContactMap } from '../../src/lib/contacts.js';
import { clipText, toPgJson, toPgText } from '../../src/lib/pg-text.js';

describe('toPgText', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['a\u0000b', 'ab'],
    ['\u0000\u0000', ''],
    ['lone high \ud83d end', 'lone high \ufffd end'],
    ['lone low \ude00 end', 'lone low \ufffd end'],
    ['high at the end \ud83d', 'high at the end \ufffd'],
    ['\ude00 low at the start', '\ufffd low at the start'],
    ['reversed pair \ude00\ud83d', 'reversed pair \ufffd\ufffd'],
    ['a real pair \ud83d\ude00 stays', 'a real pair \u{1F600} stays'],
    ['Ümlaut, 漢字, \u200b zero-width, \u0001 control', 'Ümlaut, 漢字, \u200b zero-width, \u0001 control'],
    ['a backslash-u0000 is text: \\u0000', 'a backslash-u0000 is text: \\u0000'],
  ])('%j → %j', (given, expected) => expect(toPgText(given)).toBe(expected));
});

describe('toPgJson', () => {
  it('cleans every string and key, keeps numbers, booleans, null and shape', () => {
    expect(
      toPgJson({ 'k\u0000ey': 'v\u0000', n: 1.5, b: false, z: null, list: ['\ud800', { deep: 'x\u0000y' }], nested: { ok: '\u{1F600}' } }),
    ).toEqual({ key: 'v', n: 1.5, b: false, z: null, list: ['\ufffd', { deep: 'xy' }], nested: { ok: '\u{1F600}' } } as never);
  });

  it('a __proto__ key stays a key', () => {
    const cleaned = toPgJson(JSON.parse('{"__proto__":{"polluted":"\\u0000yes"}}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(cleaned)).toBe(Object.prototype);
    expect(Object.keys(cleaned)).toEqual(['__proto__']);
    expect(JSON.stringify(cleaned)).toBe('{"__proto__":{"polluted":"yes"}}');
  });
});

describe('clipText', () => {
  it.each([
    ['abc', 5, 'abc'],
    ['abcdef', 3, 'abc'],
    ['ab\u{1F600}', 3, 'ab'],
    ['ab\u{1F600}', 4, 'ab\u{1F600}'],
    ['a\u{1F600}c', 3, 'a\u{1F600}'],
  ])('%j to %i → %j', (given, max, expected) => expect(clipText(given, max)).toBe(expected));
});

describe('parseContactMap with text PostgreSQL refuses', () => {
  it('cleans names, JIDs and raw; clips without splitting a pair', () => {
    const long = `${'a'.repeat(254)}\u{1F600}`;
    const parsed = parseContactMap({
      '62811\u0000@s.whatsapp.net': { FullName: 'Bu\u0000di', PushName: '\ud83d' },
      '62812@s.whatsapp.net': { FullName: long },
    });
    expect(parsed[0]).toEqual({ jid: '62811@s.whatsapp.net', name: 'Budi', phone: '62811', raw: { FullName: 'Budi', PushName: '\ufffd' } });
    expect(parsed[1]!.name).toBe('a'.repeat(254));
    expect(JSON.stringify(parsed)).not.toMatch(/\\u0000|\\ud[89a-f]/);
  });
});
