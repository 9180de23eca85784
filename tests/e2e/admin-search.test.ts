import type { Browser, BrowserContext, Page } from 'playwright-core';
import { beforeEach, describe, expect, test } from 'vitest';
import { expectAccessible, login, newContext, useFreshPagePerTest } from '../setup/browser.ts';

const fresh = useFreshPagePerTest();
let page: Page;
let context: BrowserContext;
let browser: Browser;
beforeEach(() => {
  page = fresh.page();
  context = fresh.context();
  browser = fresh.browser();
});

describe('search', () => {
  test('finds lessons with German stemming (Pagefind) and without JavaScript (server)', async () => {
    await login(page, 'jonas.jugendamt@musterstadt.example');
    await page.goto('/suche');
    await expectAccessible(page);
    await page.getByLabel('Suchbegriff').fill('Halluzinationen');
    // the index is loaded with the session (it is not public): script and fragments answer 200 to the signed-in page
    const script = page.waitForResponse((r) => r.url().endsWith('/pagefind/pagefind.js'));
    await page.getByLabel('Suchbegriff').press('Enter');
    expect((await script).status()).toBe(200);
    await expect.poll(() => page.locator('#ergebnisse').innerText()).toMatch(/Lektionen gefunden/);
    expect(await page.locator('#ergebnisse a').count()).toBeGreaterThan(0);
    // found by Pagefind in the page (its excerpts mark the hits), not by the server fallback (a reload)
    expect(await page.locator('#ergebnisse mark').count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
    expect(page.url()).toMatch(/\/suche\?q=Halluzinationen$/);
    await expectAccessible(page);

    const noJs = await browser.newContext({
      baseURL: context
        .pages()[0]
        ?.url()
        .replace(/\/suche.*$/, ''),
      javaScriptEnabled: false,
    });
    await noJs.addCookies(await context.cookies());
    const p2 = await noJs.newPage();
    await p2.goto('/suche?q=Prompt');
    expect(await p2.locator('#ergebnisse a').count()).toBeGreaterThan(0);
    await p2.goto('/suche?q=xyzgibtesnicht');
    await expect.poll(() => p2.locator('#ergebnisse').innerText()).toContain('Keine Lektion gefunden');
    await noJs.close();
  });
});

describe('learning path assignment', () => {
  test('lets the admin assign a path to an org unit, which the learner then sees, and remove it again', async () => {
    await login(page, 'admin@musterstadt.example');
    await page.goto('/verwaltung/lernpfade');
    await expectAccessible(page);
    await page.getByLabel('Lernpfad', { exact: true }).selectOption({ label: 'KI verantworten und einführen – für Führungskräfte' });
    await page.getByLabel('Organisationseinheit', { exact: true }).selectOption({ label: '\u00a0\u00a0\u00a0\u00a0FB2-JA – Jugendamt' });
    await page.getByLabel('Fällig bis (optional)').fill('2027-06-30');
    await page.getByRole('button', { name: 'Zuweisen' }).press('Enter');
    await expect.poll(() => page.getByRole('status').innerText()).toContain('zugewiesen');
    await expect.poll(() => page.locator('main table').last().innerText()).toContain('Jugendamt');
    await expectAccessible(page);

    const learner = await newContext(browser);
    const lp = await learner.newPage();
    await login(lp, 'jonas.jugendamt@musterstadt.example');
    await expect.poll(() => lp.locator('main').innerText()).toContain('KI verantworten und einführen');
    await expect.poll(() => lp.locator('main').innerText()).toContain('30.06.2027');
    await learner.close();

    await page.getByRole('button', { name: 'Zuweisung für Jugendamt entfernen' }).press('Enter');
    await expect.poll(() => page.getByRole('status').innerText()).toContain('entfernt');
  });

  test('shows a readable error when the person does not exist', async () => {
    await login(page, 'admin@musterstadt.example');
    await page.goto('/verwaltung/lernpfade');
    await page.getByLabel('Lernpfad', { exact: true }).selectOption({ label: 'KI sicher in der Sachbearbeitung' });
    await page.getByLabel('Einzelne Person').check();
    await page.getByLabel('E-Mail-Adresse der Person').fill('berta.beispiel@beispielhausen.example');
    await page.getByRole('button', { name: 'Zuweisen' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('gibt es in Ihrem Landkreis nicht');
    await expectAccessible(page);
  });
});

describe('language', () => {
  test('switches the interface to English and back', async () => {
    await login(page, 'lena.lernende@musterstadt.example');
    await page.getByRole('button', { name: 'English' }).press('Enter');
    await expect.poll(() => page.getByRole('navigation', { name: 'Main navigation' }).innerText()).toContain('My learning path');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Deutsch' }).press('Enter');
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('de');
  });
});
