import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer } from '../helpers/app.js';
import { launchChromium, openPage, screenshot, signIn, type WatchedPage } from '../helpers/browser.js';
import { seedUser } from '../helpers/seed.js';
import { createWebConsoleApp, type WebConsoleApp } from '../helpers/web.js';

// Issue 16 §5 in a real Chromium: the console follows a session through the live event stream. The
// session loses its connection without a word; the gateway's reconciliation finds it; the card turns
// "Disconnected" with what to do, without a reload and without polling; "Reconnect" brings it back.
let t: WebConsoleApp;
let browser: Browser;
let watched: WatchedPage;
let page: Page;
let apiKey: string;
let sessionId: string;
const statusPolls: string[] = [];

beforeAll(async () => {
  t = await createWebConsoleApp({ env: { SESSION_CHECK_INTERVAL: '1m' }, overrides: { sleep: async () => undefined } });
  browser = await launchChromium();
  ({ apiKey } = await seedUser(t.app, { max_sessions: 1 }));
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    headers: customer(apiKey),
    payload: { session_name: 'Front desk', auto_connect: true },
  });
  sessionId = res.json().session.session_id;
  t.sim.pair(sessionId, { phone: '628111000111' });
  await check();
  watched = await openPage(browser);
  page = watched.page;
  page.on('request', (r) => {
    if (r.url().includes('/session/status')) statusPolls.push(r.url());
  });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** One reconciliation pass at the next tick (the gateway's clock is the test's). */
async function check() {
  t.clock.advance(60_000);
  expect(await t.deps.sessionChecks.runPass()).toMatchObject({ kind: 'finished' });
}
const card = () => page.locator(`[data-session-id="${sessionId}"]`);

describe('web console: session health, live', () => {
  it('shows a healthy session followed through the live stream', async () => {
    await signIn(page, `${t.url}/dashboard/`, 'API key', apiKey);
    await card().getByText('Connected').waitFor();
    await expect.poll(() => card().getAttribute('data-live')).toBe('stream');
    expect(await card().getAttribute('data-health')).toBe('healthy');
    await page.evaluate('window.__notReloaded = true');
  });

  it('turns "Disconnected" with what to do when the connection is lost, without a reload or a poll', async () => {
    const pollsBefore = statusPolls.length;
    t.sim.drop(sessionId);
    await check();
    await card().getByText('Disconnected', { exact: true }).first().waitFor();
    await expect.poll(() => card().getAttribute('data-health')).toBe('disconnected');
    await card()
      .getByText(/Reconnect it\./)
      .waitFor();
    expect(await page.evaluate('window.__notReloaded')).toBe(true);
    expect(statusPolls.length).toBe(pollsBefore);
    await screenshot(page, 'session-disconnected');
  });

  it('"Reconnect" brings it back, and the card follows', async () => {
    await card().getByRole('button', { name: 'Reconnect' }).click();
    await expect.poll(() => card().getAttribute('data-health'), { timeout: 8_000 }).toBe('healthy');
    await card().getByText('Connected').waitFor();
    expect(
      await card()
        .getByText(/Reconnect it\./)
        .count(),
    ).toBe(0);
    expect(await page.evaluate('window.__notReloaded')).toBe(true);
  });

  it("the session page's live event log lists what happened, newest first, as plain text", async () => {
    t.sim.drop(sessionId);
    await card().getByRole('link', { name: 'Settings & activity' }).click();
    await page.getByRole('tab', { name: 'Live events' }).click();
    const log = page.getByRole('list', { name: 'Live events, newest first' });
    await log.waitFor();
    await check();
    await expect.poll(() => log.locator('li').first().textContent()).toMatch(/state\s+Disconnected · connected: no/);
    expect(await log.locator('li').last().textContent()).toMatch(/Healthy/);
    await screenshot(page, 'session-live-events');
    expect(watched.problems).toEqual([]);
  });
});
