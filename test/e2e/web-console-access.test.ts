import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer, internal } from '../helpers/app.js';
import { launchChromium, openContext, openPage, screenshot, signIn } from '../helpers/browser.js';
import { seedUser } from '../helpers/seed.js';
import { createWebConsoleApp, type WebConsoleApp } from '../helpers/web.js';

// The web console's doors (issue 8): wrong and expired keys get plain words, and operators manage
// users, subscriptions and keys, in a real Chromium against the real gateway.
let t: WebConsoleApp;
let browser: Browser;
/** One context for the file's pages (its HTTP cache); each page signs in on its own. */
let context: BrowserContext;

beforeAll(async () => {
  t = await createWebConsoleApp();
  browser = await launchChromium();
  context = await openContext(browser);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('web console: bad input', () => {
  it('a wrong key gets a clear message', async () => {
    const { page: p, problems } = await openPage(context);
    await signIn(p, `${t.url}/dashboard/`, 'API key', 'gwa_not-a-real-key');
    await p.getByRole('alert').getByText('This API key is not valid').waitFor();
    await screenshot(p, 'sign-in-wrong-key');
    expect(problems).toEqual([]);
  });

  it('an expired subscription says so', async () => {
    const expired = await seedUser(t.app, { expires_at: '2026-01-01T00:00:00Z' });
    const { page: p } = await openPage(context);
    await signIn(p, `${t.url}/dashboard/`, 'API key', expired.apiKey);
    await p
      .getByRole('alert')
      .getByText(/subscription has expired/)
      .waitFor();
  });

  it('a wrong operator key gets a clear message', async () => {
    const { page: p } = await openPage(context);
    await signIn(p, `${t.url}/dashboard/operator/users`, 'Internal API key', 'not-an-operator-key');
    await p.getByRole('alert').getByText('This operator key is not valid.').waitFor();
  });
});

describe('web console: operator', () => {
  /** A page signed in to the operator console, on the users list. */
  async function operatorPage() {
    const watched = await openPage(context);
    await signIn(watched.page, `${t.url}/dashboard/operator/users`, 'Internal API key', internal()['x-internal-api-key']);
    await watched.page.getByRole('heading', { name: 'Users' }).waitFor();
    return watched;
  }

  it('signs in, creates a user and shows its key exactly once', async () => {
    const { page: op, problems } = await operatorPage();
    await op.getByRole('button', { name: 'New user' }).click();
    await op.getByRole('dialog').getByLabel('User ID').fill('acme-support');
    await op.getByRole('dialog').getByLabel('Source').fill('app');
    await op.getByRole('dialog').getByLabel('Sessions allowed').fill('2');
    await op.getByRole('dialog').getByRole('button', { name: 'Create user' }).click();
    const key = (await op.getByTestId('new-api-key').textContent()) ?? '';
    expect((await t.app.inject({ url: '/v1/me', headers: customer(key) })).statusCode).toBe(200);
    await screenshot(op, 'operator-new-key');
    await op.getByRole('button', { name: 'I have stored the key' }).click();
    await op.locator('[data-user-id="acme-support"]').waitFor();
    expect(await op.content()).not.toContain(key);
    await screenshot(op, 'operator-users');
    expect(problems).toEqual([]);
  });

  it('filters by source, extends the subscription, rotates the key and deactivates the user', async () => {
    // A user of this test's own, made through the internal API.
    const made = await t.app.inject({
      method: 'POST',
      url: '/internal/users',
      headers: internal(),
      payload: { user_id: 'acme-billing', source: 'app', expires_at: '2030-01-01T00:00:00Z', max_sessions: 2 },
    });
    expect(made.statusCode).toBe(200);
    const { page: op, problems } = await operatorPage();
    await op.getByLabel('Source').fill('other');
    await op.getByRole('button', { name: 'Apply' }).click();
    await op.getByText('No users match these filters.').waitFor();
    await op.getByLabel('Source').fill('app');
    await op.getByRole('button', { name: 'Apply' }).click();
    const row = op.locator('[data-user-id="acme-billing"]');
    await row.getByRole('button', { name: 'Subscription' }).click();
    await op.getByRole('dialog').getByLabel('Ends on').fill('2031-12-31');
    await op.getByRole('dialog').getByRole('button', { name: 'Save subscription' }).click();
    await row.getByText(/2031/).waitFor();
    await row.getByRole('button', { name: 'Rotate key' }).click();
    await op.getByRole('dialog').getByRole('button', { name: 'Rotate key' }).click();
    const rotated = (await op.getByTestId('new-api-key').textContent()) ?? '';
    expect((await t.app.inject({ url: '/v1/me', headers: customer(rotated) })).statusCode).toBe(200);
    await op.getByRole('button', { name: 'I have stored the key' }).click();
    await row.getByRole('button', { name: 'Deactivate' }).click();
    await op.getByRole('dialog').getByRole('button', { name: 'Deactivate' }).click();
    await row.getByText('Deactivated').waitFor();
    expect((await t.app.inject({ url: '/v1/me', headers: customer(rotated) })).statusCode).toBe(403);
    expect(problems).toEqual([]);
  });
});
