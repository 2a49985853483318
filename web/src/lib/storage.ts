/**
 * Keys live in sessionStorage: gone when the tab closes, never in a URL, a cookie or a log line
 * (issue 8). Storage can be blocked by the browser; the console then just asks again.
 */
const NAMES = { customer: 'wa-console.customer-key', operator: 'wa-console.operator-key' } as const;
export type Role = keyof typeof NAMES;

export function loadKey(role: Role): string | null {
  try {
    return sessionStorage.getItem(NAMES[role]);
  } catch {
    return null;
  }
}

export function saveKey(role: Role, key: string): void {
  try {
    sessionStorage.setItem(NAMES[role], key);
  } catch {
    /* kept in memory only for this page */
  }
}

export function clearKey(role: Role): void {
  try {
    sessionStorage.removeItem(NAMES[role]);
  } catch {
    /* nothing stored */
  }
}
