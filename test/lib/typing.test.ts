import { describe, expect, it } from 'vitest';
import { typingDelayMs } from '../../src/lib/typing.js';

describe('typingDelayMs', () => {
  it.each([
    ['', 400],
    ['hi', 450],
    ['halo apa kabar', 750],
    ['x'.repeat(104), 3000],
    ['x'.repeat(5000), 3000],
    ['👋🏽', 450],
  ])('%j → %i ms', (text, ms) => expect(typingDelayMs(text)).toBe(ms));
});
