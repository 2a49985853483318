import { describe, expect, it } from 'vitest';
import { matchInternalKey, parseInternalKeys } from '../../src/lib/internal-keys.js';

const { keys } = parseInternalKeys('a:k1,b:k2,g');

describe('matchInternalKey', () => {
  it.each([
    ['k1', { mode: 'scoped', source: 'a' }],
    ['k2', { mode: 'scoped', source: 'b' }],
    ['g', { mode: 'global', source: null }],
    ['a:k1', null],
    ['k', null],
    ['k10', null],
    ['', null],
  ])('%j → %j', (presented, expected) => {
    expect(matchInternalKey(keys, presented)).toEqual(expected);
  });

  it('the first entry wins when a value repeats', () => {
    expect(matchInternalKey(parseInternalKeys('x:same,same').keys, 'same')).toEqual({ mode: 'scoped', source: 'x' });
  });
});
