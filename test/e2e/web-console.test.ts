import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer, internal } from '../helpers/app.js';
import { launchChromium, openPage, screenshot, type WatchedPage } from '../helpers/browser.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { seedUser } from '../helpers/seed.js';
import { createWebConsoleApp, type WebConsoleApp } from '../helpers/web.js';

// The web console (issue 8) in a real Chromium against the real gateway and the provider simulator,
// both listening on real ports. The tests run in order and share one customer and one session.
const XSS = '<img src=x onerror=alert(1)>';

let t: WebConsoleApp;
let browser: Browser;
let watched: WatchedPage;
let page: Page;
let apiKey: string;
let sessionId: string;
let receiver: Receiver;

beforeAll(async () => {
  t = await createWebConsoleApp();
  receiver = await startReceiver();
  browser = await launchChromium();
  ({ apiKey } = await seedUser(t.app, { max_sessions: 2, max_messages: 1000 }));
  watched = await openPage(browser);
  page = watched.page;
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await receiver?.close();
});

const dialog = () => page.getByRole('dialog');

async function signIn(p: Page, path: string, label: string, key: string) {
  await p.goto(`${t.url}${path}`);
  await p.getByLabel(label, { exact: true }).fill(key);
  await p.getByRole('button', { name: 'Sign in' }).click();
}

describe('web console: customer', () => {
  it('signs in with the API key, kept in sessionStorage and never in the URL', async () => {
    await page.goto(`${t.url}/app/`);
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in with your API key' }).isVisible()).toBe(true);
    await screenshot(page, 'sign-in');
    await signIn(page, '/app/', 'API key', apiKey);
    await page.getByRole('heading', { name: 'Your sessions' }).waitFor();
    await page.getByText('1,000').first().waitFor();
    expect(page.url()).not.toContain(apiKey);
    // Page scripts are strings here: the test's own TypeScript has no DOM types.
    expect(await page.evaluate('Object.values(sessionStorage)')).toContain(apiKey);
  });

  it('creates a session, shows its QR code, follows a rotation and flips to "connected" once paired', async () => {
    await page.getByRole('button', { name: 'New session' }).click();
    await dialog().getByLabel('Name').fill('Support desk');
    await dialog().getByRole('button', { name: 'Create session' }).click();
    await page.getByRole('heading', { name: 'Support desk' }).waitFor();
    sessionId = (await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions[0].session_id;

    await page.getByRole('button', { name: 'Link a phone' }).click();
    const qr = dialog().getByRole('img', { name: /QR code/ });
    await qr.waitFor();
    const first = await qr.getAttribute('src');
    expect(first).toMatch(/^data:image\/png;base64,/);
    await screenshot(page, 'link-qr');
    await t.sim.rotateQr(sessionId);
    await expect.poll(() => qr.getAttribute('src'), { timeout: 6_000 }).not.toBe(first);

    t.sim.pair(sessionId, { phone: '628111222333' });
    await dialog().getByText('Connected', { exact: true }).waitFor({ timeout: 6_000 });
    await dialog().getByText('+628111222333').waitFor();
    await screenshot(page, 'link-connected');
    await dialog().getByRole('button', { name: 'Done' }).click();
    const card = page.locator(`[data-session-id="${sessionId}"]`);
    await card.getByText('Connected').waitFor();
    await card.getByText('+628111222333').waitFor();
  });

  it('changes a setting, sees it saved, and sends a test event to the webhook', async () => {
    const token = (await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions[0].session_token;
    for (const Body of ['halo', 'apa kabar']) {
      await t.app.inject({ method: 'POST', url: '/v1/wa/chat/send/text', headers: { token, 'content-type': 'application/json' }, payload: { Phone: '6281234567890', Body } });
    }
    await t.deps.flushCounters();
    await page.getByRole('link', { name: 'Settings & activity' }).click();
    await page.getByRole('heading', { name: 'Support desk' }).waitFor();
    await page.getByLabel('Mark incoming messages as read').check();
    await page.getByLabel('Webhook URL').fill(receiver.url);
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    const saved = (await t.app.inject({ url: `/v1/sessions/${sessionId}/settings`, headers: customer(apiKey) })).json();
    expect(saved).toMatchObject({ auto_read_enabled: true, typing_enabled: false, webhook_url: receiver.url });
    await page.reload();
    await expect.poll(() => page.getByLabel('Mark incoming messages as read').isChecked()).toBe(true);
    await page.getByRole('rowheader', { name: 'text' }).waitFor();
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText(/^Test event queued/).waitFor();
    await receiver.waitFor(1);
    await screenshot(page, 'session-settings');
  });

  it('syncs contacts and shows a hostile contact name as text, never as HTML', async () => {
    t.sim.setContacts(sessionId, {
      '628777000111@s.whatsapp.net': { FullName: XSS, PushName: XSS },
      '628777000222@s.whatsapp.net': { FullName: 'Budi Santoso' },
    });
    await page.getByRole('tab', { name: 'Contacts' }).click();
    await page.getByRole('button', { name: 'Sync from WhatsApp' }).click();
    await page.getByText(/Synced 2 contacts/).waitFor();
    await page.getByRole('cell', { name: XSS }).waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await page.getByPlaceholder('Search by name or number').fill('Budi');
    await expect.poll(() => page.getByRole('cell', { name: XSS }).count()).toBe(0);
    await page.getByPlaceholder('Search by name or number').fill('');
    await page.getByRole('cell', { name: XSS }).waitFor();
    await page.getByPlaceholder('Search by name or number').blur();
    await screenshot(page, 'session-contacts');
    await page.getByRole('tab', { name: 'Webhook deliveries' }).click();
    await page.getByRole('heading', { name: 'Recent webhook deliveries' }).waitFor();
    await page.getByRole('cell', { name: 'Delivered' }).first().waitFor();
    await page.getByRole('button', { name: 'Redeliver' }).first().click();
    await page.getByText(/queued again/).waitFor();
    await receiver.waitFor(2);
    await expect.poll(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return page.getByRole('cell', { name: /^(Queued|Retrying)$/ }).count();
    }).toBe(0);
    await screenshot(page, 'session-deliveries');
  });

  it('shows the session as unreachable while the provider is down, and recovers', async () => {
    await page.getByRole('link', { name: '← All sessions' }).click();
    t.sim.setDown(true);
    try {
      await page.reload();
      const card = page.locator(`[data-session-id="${sessionId}"]`);
      await card.getByText('Unreachable').waitFor({ timeout: 8_000 });
      await page.getByRole('heading', { name: 'Your sessions' }).waitFor();
      await screenshot(page, 'dashboard-provider-down');
    } finally {
      t.sim.setDown(false);
    }
    await page.reload();
    await page.locator(`[data-session-id="${sessionId}"]`).getByText('Connected').waitFor({ timeout: 8_000 });
    await screenshot(page, 'dashboard');
  });

  it('fits a phone-sized screen', async () => {
    const phone = await openPage(browser, { width: 390, height: 844 });
    await signIn(phone.page, '/app/', 'API key', apiKey);
    await phone.page.getByRole('heading', { name: 'Support desk' }).waitFor();
    await screenshot(phone.page, 'dashboard-phone');
    const wide = await phone.page.evaluate(`[...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > 390).map((e) => e.tagName + '.' + e.className)`);
    expect(wide).toEqual([]);
    expect(phone.problems).toEqual([]);
  });

  it('disconnects, reconnects, logs out and deletes, each after a confirmation', async () => {
    const card = page.locator(`[data-session-id="${sessionId}"]`);
    const confirm = async (action: string, confirmLabel = action) => {
      await card.getByRole('button', { name: action }).click();
      await dialog().getByRole('button', { name: confirmLabel }).click();
    };
    await confirm('Disconnect');
    await card.getByText(/^Disconnected\. The phone stays linked/).waitFor();
    await card.getByText('Disconnected', { exact: true }).waitFor();
    // A paired phone needs no new QR code: connecting again logs straight in.
    await card.getByRole('button', { name: 'Link a phone' }).click();
    await dialog().getByText('+628111222333').waitFor();
    await dialog().getByRole('button', { name: 'Done' }).click();
    await confirm('Log out');
    await card.getByText(/^Logged out\./).waitFor();
    // A QR code nobody scans runs out; the view says so and offers a fresh one.
    t.sim.configure({ qrFirstMs: 3_000, qrCodes: 1 });
    try {
      await card.getByRole('button', { name: 'Link a phone' }).click();
      await dialog().getByText('The QR code expired before it was scanned.').waitFor({ timeout: 10_000 });
      t.sim.configure({ qrFirstMs: 60_000, qrCodes: 6 });
      await dialog().getByRole('button', { name: 'Show a new code' }).click();
      await dialog().getByRole('img', { name: /QR code/ }).waitFor();
      await dialog().getByRole('button', { name: 'Close' }).click();
    } finally {
      t.sim.configure({ qrFirstMs: 60_000, qrCodes: 6 });
    }
    await card.getByRole('button', { name: 'Delete' }).click();
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    expect(await card.count()).toBe(1);
    await confirm('Delete', 'Delete for good');
    await page.getByText('No sessions yet.').waitFor();
    expect((await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions).toEqual([]);
  });

  it('ran no script it was given and hit no CSP violation', () => {
    expect(watched.problems).toEqual([]);
  });
});

describe('web console: bad input', () => {
  it('a wrong key gets a clear message', async () => {
    const { page: p, problems } = await openPage(browser);
    await signIn(p, '/app/', 'API key', 'gwa_not-a-real-key');
    await p.getByRole('alert').getByText('This API key is not valid').waitFor();
    await screenshot(p, 'sign-in-wrong-key');
    expect(problems).toEqual([]);
  });

  it('an expired subscription says so', async () => {
    const expired = await seedUser(t.app, { expires_at: '2026-01-01T00:00:00Z' });
    const { page: p } = await openPage(browser);
    await signIn(p, '/app/', 'API key', expired.apiKey);
    await p.getByRole('alert').getByText(/subscription has expired/).waitFor();
  });

  it('a wrong operator key gets a clear message', async () => {
    const { page: p } = await openPage(browser);
    await signIn(p, '/app/operator', 'Internal API key', 'not-an-operator-key');
    await p.getByRole('alert').getByText('This operator key is not valid.').waitFor();
  });
});

describe('web console: operator', () => {
  let op: Page;

  it('signs in, creates a user and shows its key exactly once', async () => {
    op = (await openPage(browser)).page;
    await signIn(op, '/app/operator', 'Internal API key', internal()['x-internal-api-key']);
    await op.getByRole('heading', { name: 'Users' }).waitFor();
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
  });

  it('filters by source, extends the subscription, rotates the key and deactivates the user', async () => {
    await op.getByLabel('Source').fill('other');
    await op.getByRole('button', { name: 'Apply' }).click();
    await op.getByText('No users match these filters.').waitFor();
    await op.getByLabel('Source').fill('app');
    await op.getByRole('button', { name: 'Apply' }).click();
    const row = op.locator('[data-user-id="acme-support"]');
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
  });
});
