import { describe, expect, it } from 'vitest';
import { effectiveMaxSessions } from '../../src/services/subscriptions.js';

describe('effectiveMaxSessions: ≤ 0 or absent means one (go-service-api §8.5)', () => {
  it.each([
    [undefined, 1],
    [null, 1],
    [-3, 1],
    [0, 1],
    [1, 1],
    [7, 7],
  ])('%j → %i', (given, expected) => expect(effectiveMaxSessions(given)).toBe(expected));
});
