/** Debian Chromium via playwright-core (no browser downloads), with axe checks on every visited page. */
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, inject } from 'vitest';
import { watchContext } from './page-checks.ts';

export const DEMO_PASSWORD = 'kiko-demo';

/**
 * Playwright's launch() gives every browser a fresh temporary profile (user-data-dir). Every context opened on it
 * is watched for policy violations and its pages' HTML is kept for the HTML check (page-checks.ts).
 */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const open = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await open(options);
    await watchContext(context, options?.baseURL ?? baseUrl());
    return context;
  };
  return browser;
}

export function baseUrl(): string {
  return inject('baseUrl');
}

export async function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ baseURL: baseUrl(), locale: 'de-DE' });
}

/** Fails the test when the page has WCAG 2.0/2.1 A or AA violations. */
export async function expectAccessible(page: Page, opts: { disableRules?: string[] } = {}): Promise<void> {
  const builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  if (opts.disableRules?.length) builder.disableRules(opts.disableRules);
  const results = await builder.analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(summary, `axe auf ${page.url()}`).toEqual([]);
}

/** Logs in through the login form using only the keyboard. */
export async function login(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/anmelden');
  await page.getByLabel('E-Mail-Adresse').fill(email);
  await page.getByLabel('Passwort').fill(password);
  await page.getByLabel('Passwort').press('Enter');
  await page.waitForLoadState('load');
}

/**
 * Registers the usual hooks of a browser test file: one browser per file, a fresh context and page per
 * test. Returns getters, because the objects exist only once the hooks have run.
 */
export function useFreshPagePerTest(): { browser: () => Browser; context: () => BrowserContext; page: () => Page } {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    context = await newContext(browser as Browser);
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
  });
  return { browser: () => browser as Browser, context: () => context as BrowserContext, page: () => page as Page };
}
