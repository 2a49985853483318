import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium; `.ci/run` installs it (`npx playwright install` cannot download here). */
export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does this)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

const root = new URL('../../', import.meta.url).pathname;
/** Screenshots land in docs/ only when asked (`npm run screenshots`), so a test run leaves the tree clean. */
const shotDir = join(root, process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(shotDir, { recursive: true });
  await page.screenshot({ path: join(shotDir, `${name}.png`), fullPage: true, animations: 'disabled' });
}

const DESKTOP = { width: 1280, height: 860 };

/**
 * A browser context for the console's pages: the same settings for every screenshot, and one HTTP
 * cache, so the (immutable) assets load once for a file's tests. Its pages share no sign-in: the
 * console keeps keys in sessionStorage, which belongs to one page.
 */
export function openContext(browser: Browser, viewport = DESKTOP): Promise<BrowserContext> {
  return browser.newContext({ viewport, deviceScaleFactor: 1, colorScheme: 'light', locale: 'en-GB', timezoneId: 'UTC' });
}

export interface WatchedPage {
  page: Page;
  problems: string[];
}

/**
 * A page whose script errors, CSP violations and `alert`s are collected: any of them means the
 * console broke or ran something it was given (issue 8: nothing from the API is HTML).
 */
export async function openPage(owner: Browser | BrowserContext, viewport = DESKTOP): Promise<WatchedPage> {
  const shared = !('newContext' in owner);
  const context = shared ? owner : await openContext(owner, viewport);
  const page = await context.newPage();
  if (shared) await page.setViewportSize(viewport);
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    // Refused API calls are logged by the browser itself; they are expected in the error cases.
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  return { page, problems };
}

export async function signIn(page: Page, url: string, label: string, key: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel(label, { exact: true }).fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
