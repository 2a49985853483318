import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { customer } from '../helpers/app.js';
import { launchChromium, openContext, openPage, screenshot, signIn, type WatchedPage } from '../helpers/browser.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { seedUser } from '../helpers/seed.js';
import { createWebConsoleApp, type WebConsoleApp } from '../helpers/web.js';
import { deliveryRound } from '../helpers/webhooks.js';

// The web console (issue 8) in a real Chromium against the real gateway and the provider simulator,
// both listening on real ports. Each test starts from nothing another left: its own customer, made
// through the API with the session it needs, and its own page. Wrong keys and the operator console
// are in web-console-access.test.ts.
const XSS = '<img src=x onerror=alert(1)>';
const PHONE = '628111222333';

let t: WebConsoleApp;
let browser: Browser;
/** The tests' pages share a context (its HTTP cache), never a sign-in: see openContext. */
let context: BrowserContext;
/** The pages and receivers a test opened, checked and closed after it. */
let pages: WatchedPage[] = [];
const receivers: Receiver[] = [];

beforeAll(async () => {
  t = await createWebConsoleApp();
  browser = await launchChromium();
  context = await openContext(browser);
});
afterEach(async () => {
  const opened = pages;
  pages = [];
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await Promise.all(opened.map((p) => p.page.close()));
  // The console ran no script it was given and hit no CSP violation, on any page of the test.
  for (const p of opened) expect(p.problems).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** A page of the test's own (checked for problems and closed after the test). */
async function newPage(viewport?: { width: number; height: number }): Promise<Page> {
  const watched = await openPage(context, viewport);
  pages.push(watched);
  return watched.page;
}

/** A page signed in as `apiKey`, on the sessions list. */
async function signedIn(apiKey: string, viewport?: { width: number; height: number }): Promise<Page> {
  const page = await newPage(viewport);
  await signIn(page, `${t.url}/dashboard/`, 'API key', apiKey);
  await page.getByRole('heading', { name: 'Your sessions' }).waitFor();
  return page;
}

/** A webhook receiver of the test's own. */
async function newReceiver(): Promise<Receiver> {
  const receiver = await startReceiver();
  receivers.push(receiver);
  return receiver;
}

/**
 * A customer of its own with one session "Support desk", made through the API: paired with `phone`
 * when given, then `settings` saved (a webhook URL set after pairing receives no pairing events).
 */
async function customerWithSession(options: { phone?: string; settings?: Record<string, unknown> } = {}) {
  const { apiKey } = await seedUser(t.app, { max_sessions: 2, max_messages: 1000 });
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: customer(apiKey),
    payload: { session_name: 'Support desk', auto_connect: options.phone !== undefined },
  });
  expect(res.statusCode).toBe(201);
  const { session_id: sessionId, session_token: token } = res.json().session as { session_id: string; session_token: string };
  if (options.phone) t.sim.pair(sessionId, { phone: options.phone });
  if (options.settings) {
    const saved = await t.app.inject({
      method: 'PUT',
      url: `/v1/sessions/${sessionId}/settings`,
      headers: customer(apiKey),
      payload: options.settings,
    });
    expect(saved.statusCode).toBe(200);
  }
  return { apiKey, sessionId, token };
}

describe('web console: customer', () => {
  it('signs in with the API key, kept in sessionStorage and never in the URL', async () => {
    const { apiKey } = await seedUser(t.app, { max_sessions: 2, max_messages: 1000 });
    const page = await newPage();
    await page.goto(`${t.url}/dashboard/`);
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in with your API key' }).isVisible()).toBe(true);
    await screenshot(page, 'sign-in');
    await signIn(page, `${t.url}/dashboard/`, 'API key', apiKey);
    await page.getByRole('heading', { name: 'Your sessions' }).waitFor();
    await page.getByText('1,000').first().waitFor();
    expect(page.url()).not.toContain(apiKey);
    // Page scripts are strings here: the test's own TypeScript has no DOM types.
    expect(await page.evaluate('Object.values(sessionStorage)')).toContain(apiKey);
  });

  it('creates a session, shows its QR code, follows a rotation and flips to "connected" once paired', async () => {
    const { apiKey } = await seedUser(t.app, { max_sessions: 2, max_messages: 1000 });
    const page = await signedIn(apiKey);
    const dialog = () => page.getByRole('dialog');
    await page.getByRole('button', { name: 'New session' }).click();
    await dialog().getByLabel('Name').fill('Support desk');
    await dialog().getByRole('button', { name: 'Create session' }).click();
    await page.getByRole('heading', { name: 'Support desk' }).waitFor();
    const sessionId = (await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions[0].session_id;

    await page.getByRole('button', { name: 'Link a phone' }).click();
    const qr = dialog().getByRole('img', { name: /QR code/ });
    await qr.waitFor();
    const first = await qr.getAttribute('src');
    expect(first).toMatch(/^data:image\/png;base64,/);
    await screenshot(page, 'link-qr');
    await t.sim.rotateQr(sessionId);
    await expect.poll(() => qr.getAttribute('src'), { timeout: 6_000 }).not.toBe(first);

    t.sim.pair(sessionId, { phone: PHONE });
    await dialog().getByText('Connected', { exact: true }).waitFor({ timeout: 6_000 });
    await dialog().getByText(`+${PHONE}`).waitFor();
    await screenshot(page, 'link-connected');
    await dialog().getByRole('button', { name: 'Done' }).click();
    const card = page.locator(`[data-session-id="${sessionId}"]`);
    await card.getByText('Connected').waitFor();
    await card.getByText(`+${PHONE}`).waitFor();
  });

  it('changes a setting, sees it saved, and sends a test event to the webhook', async () => {
    const { apiKey, sessionId, token } = await customerWithSession({ phone: PHONE });
    const receiver = await newReceiver();
    for (const Body of ['halo', 'apa kabar']) {
      await t.app.inject({
        method: 'POST',
        url: '/v1/wa/chat/send/text',
        headers: { token, 'content-type': 'application/json' },
        payload: { Phone: '6281234567890', Body },
      });
    }
    await t.deps.flushCounters();
    const page = await signedIn(apiKey);
    await page.getByRole('link', { name: 'Settings & activity' }).click();
    await page.getByRole('heading', { name: 'Support desk' }).waitFor();
    await page.getByLabel('Mark incoming messages as read').check();
    await page.getByLabel('Webhook URL').fill(receiver.url);
    expect(await page.getByLabel('Webhook format').inputValue()).toBe('provider');
    await page.getByLabel('Webhook format').selectOption('envelope');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    const saved = (await t.app.inject({ url: `/v1/sessions/${sessionId}/settings`, headers: customer(apiKey) })).json();
    expect(saved).toMatchObject({ auto_read_enabled: true, typing_enabled: false, webhook_url: receiver.url, webhook_format: 'envelope' });
    await page.reload();
    await expect.poll(() => page.getByLabel('Mark incoming messages as read').isChecked()).toBe(true);
    await expect.poll(() => page.getByLabel('Webhook format').inputValue()).toBe('envelope');
    await page.getByRole('rowheader', { name: 'text' }).waitFor();
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText(/^Test event queued/).waitFor();
    await receiver.waitFor(1, { between: deliveryRound(t) });
    await screenshot(page, 'session-settings');
  });

  it('syncs contacts and shows a hostile contact name as text, never as HTML', async () => {
    const receiver = await newReceiver();
    const { apiKey, sessionId } = await customerWithSession({ phone: PHONE, settings: { webhook_url: receiver.url } });
    // A delivery to redeliver: a test event, delivered.
    const ping = await t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${sessionId}/webhook-deliveries/test`,
      headers: customer(apiKey),
    });
    expect(ping.statusCode).toBe(202);
    await receiver.waitFor(1, { between: deliveryRound(t) });
    t.sim.setContacts(sessionId, {
      '628777000111@s.whatsapp.net': { FullName: XSS, PushName: XSS },
      '628777000222@s.whatsapp.net': { FullName: 'Budi Santoso' },
    });
    const page = await signedIn(apiKey);
    await page.getByRole('link', { name: 'Settings & activity' }).click();
    await page.getByRole('heading', { name: 'Support desk' }).waitFor();
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
    await receiver.waitFor(2, { between: deliveryRound(t) });
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return page.getByRole('cell', { name: /^(Queued|Retrying)$/ }).count();
      })
      .toBe(0);
    await screenshot(page, 'session-deliveries');
  });

  it('shows the session as unreachable while the provider is down, and recovers', async () => {
    const { apiKey, sessionId } = await customerWithSession({ phone: PHONE });
    const page = await signedIn(apiKey);
    const card = page.locator(`[data-session-id="${sessionId}"]`);
    t.sim.setDown(true);
    try {
      await page.reload();
      await card.getByText('Unreachable').waitFor({ timeout: 8_000 });
      await page.getByRole('heading', { name: 'Your sessions' }).waitFor();
      await screenshot(page, 'dashboard-provider-down');
    } finally {
      t.sim.setDown(false);
    }
    await page.reload();
    await card.getByText('Connected').waitFor({ timeout: 8_000 });
    await screenshot(page, 'dashboard');
  });

  it('fits a phone-sized screen', async () => {
    const { apiKey } = await customerWithSession({ phone: PHONE });
    const phone = await signedIn(apiKey, { width: 390, height: 844 });
    await phone.getByRole('heading', { name: 'Support desk' }).waitFor();
    await screenshot(phone, 'dashboard-phone');
    const wide = await phone.evaluate(`[...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > 390).map((e) => e.tagName + '.' + e.className)`);
    expect(wide).toEqual([]);
    expect(pages.flatMap((p) => p.problems)).toEqual([]);
  });

  /** The session's card and its actions, each after a confirmation. */
  const sessionCard = (page: Page, sessionId: string) => {
    const card = () => page.locator(`[data-session-id="${sessionId}"]`);
    const dialog = () => page.getByRole('dialog');
    const confirm = async (action: string, confirmLabel = action) => {
      await card().getByRole('button', { name: action }).click();
      await dialog().getByRole('button', { name: confirmLabel }).click();
    };
    return { card, dialog, confirm };
  };

  it('disconnects, reconnects and logs out, each after a confirmation', async () => {
    const { apiKey, sessionId } = await customerWithSession({ phone: PHONE });
    const { card, confirm } = sessionCard(await signedIn(apiKey), sessionId);
    await card().getByText('Connected').waitFor();
    await confirm('Disconnect');
    await card()
      .getByText(/^Disconnected\. The phone stays linked/)
      .waitFor();
    await card().getByText('Disconnected', { exact: true }).waitFor();
    // A paired phone needs no new QR code (issue 16: the card says so and offers to reconnect): it logs straight in.
    await card()
      .getByText(/Reconnect it\./)
      .waitFor();
    expect(await card().getByRole('button', { name: 'Link a phone' }).count()).toBe(0);
    await card().getByRole('button', { name: 'Reconnect' }).click();
    await card().getByText('Connected', { exact: true }).waitFor();
    await card().getByText(`+${PHONE}`).waitFor();
    await confirm('Log out');
    await card()
      .getByText(/^Logged out\./)
      .waitFor();
  });

  it('offers a new QR code when one runs out, and links by phone pairing code', async () => {
    const { apiKey, sessionId } = await customerWithSession();
    const page = await signedIn(apiKey);
    const { card, dialog } = sessionCard(page, sessionId);
    t.sim.configure({ qrFirstMs: 3_000, qrCodes: 1 });
    try {
      await card().getByRole('button', { name: 'Link a phone' }).click();
      await dialog().getByText('The QR code expired before it was scanned.').waitFor({ timeout: 10_000 });
      t.sim.configure({ qrFirstMs: 60_000, qrCodes: 6 });
      await dialog().getByRole('button', { name: 'Show a new code' }).click();
      await dialog()
        .getByRole('img', { name: /QR code/ })
        .waitFor();
    } finally {
      t.sim.configure({ qrFirstMs: 60_000, qrCodes: 6 });
    }
    await dialog().getByRole('button', { name: 'Use a phone number' }).click();
    await dialog().getByLabel('Phone number').fill('0812');
    expect(await dialog().getByRole('button', { name: 'Get a linking code' }).isDisabled()).toBe(true);
    await dialog().getByLabel('Phone number').fill('+62 812 9999 0000');
    await dialog().getByRole('button', { name: 'Get a linking code' }).click();
    expect(
      await dialog()
        .getByLabel(/^Linking code/)
        .textContent(),
    ).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    await screenshot(page, 'link-phone-code');
    t.sim.pair(sessionId, { phone: '6281299990000' });
    await dialog().getByText('+6281299990000').waitFor({ timeout: 8_000 });
    await dialog().getByRole('button', { name: 'Done' }).click();
  });

  it('deletes a session only once confirmed', async () => {
    const { apiKey, sessionId } = await customerWithSession();
    const page = await signedIn(apiKey);
    const { card, dialog, confirm } = sessionCard(page, sessionId);
    await card().getByRole('button', { name: 'Delete' }).click();
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    expect(await card().count()).toBe(1);
    await confirm('Delete', 'Delete for good');
    await page.getByText('No sessions yet.').waitFor();
    expect((await t.app.inject({ url: '/v1/sessions', headers: customer(apiKey) })).json().sessions).toEqual([]);
  });
});
