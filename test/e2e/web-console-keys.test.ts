import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/lib/clock.js';
import { customer, internal } from '../helpers/app.js';
import { launchChromium, openPage, screenshot, signIn } from '../helpers/browser.js';
import { seedUser } from '../helpers/seed.js';
import { createWebConsoleApp, type WebConsoleApp } from '../helpers/web.js';

// Issue 18 in the operator console, in a real Chromium against the real gateway: the rotate dialog
// offers a grace for the old key, and a user's history shows the key's last use, the previous key's
// deadline and the audit trail. The gateway runs on a test clock; the page is read in UTC.
let t: WebConsoleApp;
let browser: Browser;
let op: Page;
let problems: string[];

beforeAll(async () => {
  t = await createWebConsoleApp({ now: '2026-06-01T10:00:00Z' });
  browser = await launchChromium();
  ({ page: op, problems } = await openPage(browser));
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const dialog = () => op.getByRole('dialog');
const me = (key: string) => t.app.inject({ url: '/v1/me', headers: customer(key) });

describe('web console: keys and history', () => {
  let userId: string;
  let oldKey: string;
  let newKey: string;

  it('rotates a key keeping the old one working for 24 hours', async () => {
    ({ userId, apiKey: oldKey } = await seedUser(t.app, { source: 'app' }));
    // The operator console opens on its overview (issue 17); the users list has its own address.
    await signIn(op, `${t.url}/dashboard/operator/users`, 'Internal API key', internal()['x-internal-api-key']);
    const row = op.locator(`[data-user-id="${userId}"]`);
    await row.getByRole('button', { name: 'Rotate key' }).click();
    const grace = dialog().getByLabel('Keep the old key working for');
    expect(await grace.locator('option').allTextContents()).toEqual(['None: it stops at once', '1 hour', '24 hours', '7 days']);
    expect(await grace.inputValue()).toBe('0');
    await grace.selectOption({ label: '24 hours' });
    await dialog()
      .getByText(/Both keys work until then/)
      .waitFor();
    await screenshot(op, 'operator-rotate-key');
    await dialog().getByRole('button', { name: 'Rotate key' }).click();
    newKey = (await op.getByTestId('new-api-key').textContent()) ?? '';
    expect(newKey).toMatch(/^gwa_/);
    await op.getByRole('button', { name: 'I have stored the key' }).click();
    expect((await me(newKey)).statusCode).toBe(200);
    expect((await me(oldKey)).statusCode).toBe(200);
    const info = (await t.app.inject({ url: `/internal/users/${userId}/apikey`, headers: internal() })).json();
    expect(info.previous_key_expires_at).toBe('2026-06-02T10:00:00.000Z');
  });

  it("shows the key's last use, the previous key's deadline and the user's changes", async () => {
    (t.deps.clock as ManualClock).set('2026-06-01T10:07:00Z');
    await me(newKey);
    await t.deps.flushKeyUsage();
    await t.app.inject({ method: 'PUT', url: `/internal/users/${userId}`, headers: internal(), payload: { max_sessions: 4 } });
    const row = op.locator(`[data-user-id="${userId}"]`);
    await row.getByRole('button', { name: 'History' }).click();
    const facts = dialog().getByRole('definition');
    await dialog().getByText('Previous key works until').waitFor();
    expect(await facts.allTextContents()).toEqual(
      expect.arrayContaining([`${newKey.slice(0, 8)}…`, '1 Jun 2026, 10:07', '2 Jun 2026, 10:00']),
    );
    const changes = dialog().getByRole('row');
    await dialog().getByRole('cell', { name: 'Subscription changed' }).waitFor();
    const rows = await changes.allTextContents();
    expect(rows[1]).toContain('max_sessions: 3 → 4');
    expect(rows.some((r) => r.includes('Key rotated') && r.includes('api_key: changed') && r.includes('Service global'))).toBe(true);
    expect(rows.some((r) => r.includes('User created'))).toBe(true);
    expect(await dialog().textContent()).not.toContain(newKey);
    await screenshot(op, 'operator-history');
    await dialog().getByRole('button', { name: 'Close' }).click();
  });

  it('a rotation without grace, chosen in the dialog, ends the old key at once', async () => {
    const row = op.locator(`[data-user-id="${userId}"]`);
    await row.getByRole('button', { name: 'Rotate key' }).click();
    await dialog().getByRole('button', { name: 'Rotate key' }).click();
    const third = (await op.getByTestId('new-api-key').textContent()) ?? '';
    await op.getByRole('button', { name: 'I have stored the key' }).click();
    for (const key of [oldKey, newKey]) expect((await me(key)).statusCode).toBe(401);
    expect((await me(third)).statusCode).toBe(200);
    await row.getByRole('button', { name: 'History' }).click();
    await dialog().getByText('It does not').waitFor();
    await dialog()
      .getByText(/Page 1 of 1 · 5 changes/)
      .waitFor();
    expect(problems).toEqual([]);
  });
});
