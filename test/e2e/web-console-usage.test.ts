import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateToDay } from '../../src/lib/calendar-day.js';
import { upsertDailyUsage, type DailyUsageDelta } from '../../src/store/usage.js';
import { customer, internal } from '../helpers/app.js';
import { launchChromium, openPage, screenshot, signIn, type WatchedPage } from '../helpers/browser.js';
import { seedUser } from '../helpers/seed.js';
import { createWebConsoleApp, type WebConsoleApp } from '../helpers/web.js';

// Issue 17 §3: the usage charts of both consoles in a real Chromium. The gateway's clock stands at
// 2026-06-01T00:00Z, 07:00 on 1 June in Jakarta. Earlier days are written as the counter flush writes
// them; today's sends go through the gateway and its flush.
let t: WebConsoleApp;
let browser: Browser;
let apiKey: string;
let userId: string;
const sessions: Array<{ id: string; token: string }> = [];

const day = (d: string) => dateToDay(d)!;
/** A working month: more on weekdays, a few failures, replies coming in. */
function history(user: string, session: string, scale: number): DailyUsageDelta[] {
  const rows: DailyUsageDelta[] = [];
  for (let d = day('2026-04-20'); d < day('2026-06-01'); d += 1) {
    const weekday = new Date(d * 86_400_000).getUTCDay();
    const busy = weekday === 0 || weekday === 6 ? 0.3 : 1;
    const sent = Math.round(scale * busy * (40 + ((d * 37) % 25)));
    rows.push({
      user_id: user,
      day: d,
      session_id: session,
      message_type: 'text',
      sent,
      failed: d % 7 === 0 ? 3 : 0,
      received: Math.round(sent * 0.6),
    });
  }
  return rows;
}

beforeAll(async () => {
  t = await createWebConsoleApp();
  browser = await launchChromium();
  ({ apiKey, userId } = await seedUser(t.app, { user_id: 'toko-makmur', max_sessions: 2, max_messages: 50_000 }));
  for (const name of ['Sales', 'Support']) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: customer(apiKey),
      payload: { session_name: name, auto_connect: true },
    });
    const s = res.json().session as { session_id: string; session_token: string };
    t.sim.pair(s.session_id);
    sessions.push({ id: s.session_id, token: s.session_token });
  }
  await upsertDailyUsage(t.deps.db, [...history(userId, sessions[0]!.id, 30), ...history(userId, sessions[1]!.id, 8)], t.deps.clock.now());
  for (const [i, s] of [sessions[0]!, sessions[0]!, sessions[1]!].entries()) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/wa/chat/send/text',
      headers: { token: s.token, 'content-type': 'application/json' },
      payload: { Phone: '6281234567890', Body: `pesan ${i}` },
    });
    expect(res.statusCode).toBe(200);
  }
  await t.deps.flushCounters();
  // Two more customers, one deactivated, so the overview has a ranking and statuses to link.
  const other = await seedUser(t.app, { user_id: 'kopi-kenangan' });
  await upsertDailyUsage(t.deps.db, history(other.userId, 'kk-1', 12), t.deps.clock.now());
  const idle = await seedUser(t.app, { user_id: 'warung-sepi' });
  await t.app.inject({ method: 'PUT', url: `/internal/users/${idle.userId}`, headers: internal(), payload: { status: 'inactive' } });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** The figures of one day, from the table under the chart. */
async function dayRow(w: WatchedPage, date: string) {
  // The figures sit in a disclosure under the chart, as a person on a phone opens it.
  if ((await w.page.locator('details.chart-figures[open]').count()) === 0) await w.page.getByText('Figures by day').click();
  const cells = await w.page
    .locator('figure.chart tbody tr', { has: w.page.getByRole('rowheader', { name: date }) })
    .locator('td')
    .allTextContents();
  return cells;
}

describe('web console: usage charts', () => {
  let w: WatchedPage;

  it('the customer sees 30 days, this month and the last, and the quota used, with thousands separators', async () => {
    w = await openPage(browser);
    await signIn(w.page, `${t.url}/dashboard/`, 'API key', apiKey);
    await w.page.getByRole('heading', { name: 'Usage, last 30 days' }).waitFor();
    const chart = w.page.getByRole('img', { name: /^Messages per day from 2026-05-03 to 2026-06-01$/ });
    await chart.waitFor();
    await w.page.locator('#usage-title').scrollIntoViewIfNeeded();
    await screenshot(w.page, 'usage-customer');
    expect(await w.page.locator('figure.chart tbody tr').count()).toBe(30);
    expect(await dayRow(w, '2026-06-01')).toEqual(['3', '0', '0']);
    const may = await t.app.inject({ url: '/v1/usage?from=2026-05-01&to=2026-05-31', headers: customer(apiKey) });
    const mayTotal = (may.json().totals.sent as number).toLocaleString('en-GB');
    expect(mayTotal).toContain(',');
    const lastMonth = w.page.locator('.stat-card', { has: w.page.getByRole('heading', { name: 'Last month' }) });
    expect(await lastMonth.locator('.stat-value').textContent()).toBe(mayTotal);
    const thisMonth = w.page.locator('.stat-card', { has: w.page.getByRole('heading', { name: 'This month' }) });
    expect(await thisMonth.locator('.stat-value').textContent()).toBe('3');
    const quota = w.page.locator('.stat-card', { has: w.page.getByRole('heading', { name: 'Quota used this period' }) });
    expect(await quota.locator('.stat-value').textContent()).toBe('3 / 50,000');
  });

  it('narrows the chart to one session', async () => {
    const all = await dayRow(w, '2026-05-29');
    await w.page.getByLabel('Session', { exact: true }).selectOption({ label: 'Support' });
    await w.page.getByRole('img', { name: new RegExp(`for session ${sessions[1]!.id}$`) }).waitFor();
    const one = await dayRow(w, '2026-05-29');
    expect(Number(one[0]!.replace(/,/g, ''))).toBeLessThan(Number(all[0]!.replace(/,/g, '')));
    expect(await dayRow(w, '2026-06-01')).toEqual(['1', '0', '0']);
    expect(w.problems).toEqual([]);
  });

  it('is readable on a phone: nothing wider than the screen', async () => {
    const phone = await openPage(browser, { width: 390, height: 844 });
    await signIn(phone.page, `${t.url}/dashboard/`, 'API key', apiKey);
    await phone.page.getByRole('img', { name: /^Messages per day/ }).waitFor();
    await phone.page.locator('#usage-title').scrollIntoViewIfNeeded();
    await screenshot(phone.page, 'usage-customer-phone');
    const wide = await phone.page.evaluate(`[...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > 390).map((e) => e.tagName + '.' + e.className)`);
    expect(wide).toEqual([]);
    expect(phone.problems).toEqual([]);
  });

  it('the operator overview: users by status, sessions, messages, top users, the outbox, and links into the users list', async () => {
    const op = await openPage(browser);
    await signIn(op.page, `${t.url}/dashboard/operator`, 'Internal API key', internal()['x-internal-api-key']);
    await op.page.getByRole('heading', { name: 'Overview' }).waitFor();
    const today = op.page.locator('.stat-card', { has: op.page.getByRole('heading', { name: 'Messages today' }) });
    expect(await today.locator('.stat-value').textContent()).toBe('3');
    await op.page.getByRole('img', { name: /^Messages per day, all users/ }).waitFor();
    const top = op.page.getByRole('region', { name: 'Top users this month' }).or(op.page.locator('section[aria-labelledby="top-title"]'));
    const rows = await top.locator('tbody th').allTextContents();
    expect(rows.slice(0, 1)).toEqual(['toko-makmur']);
    // Sessions by health (issue 16): the two sessions, whatever the reconciliation has concluded of them yet.
    const sessionsCard = op.page.getByRole('region', { name: 'Sessions by health' });
    const counts = await sessionsCard.locator('li > span:last-child').allTextContents();
    expect(counts.reduce((n, c) => n + Number(c), 0)).toBe(2);
    await screenshot(op.page, 'operator-overview');
    await op.page.getByRole('region', { name: 'Users by status' }).getByRole('link', { name: 'inactive' }).click();
    await op.page.getByRole('heading', { name: 'Users' }).waitFor();
    expect(op.page.url()).toContain('/dashboard/operator/users?status=inactive');
    await op.page.locator('[data-user-id="warung-sepi"]').waitFor();
    expect(await op.page.locator('[data-user-id]').count()).toBe(1);
    expect(await op.page.getByLabel('Status').inputValue()).toBe('inactive');
    const phone = await openPage(browser, { width: 390, height: 844 });
    await signIn(phone.page, `${t.url}/dashboard/operator`, 'Internal API key', internal()['x-internal-api-key']);
    await phone.page.getByRole('img', { name: /^Messages per day, all users/ }).waitFor();
    await screenshot(phone.page, 'operator-overview-phone');
    const wide = await phone.page.evaluate(`[...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > 390).map((e) => e.tagName + '.' + e.className)`);
    expect(wide).toEqual([]);
    expect([...op.problems, ...phone.problems]).toEqual([]);
  });
});
