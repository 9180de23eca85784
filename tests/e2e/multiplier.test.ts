import type { Browser, BrowserContext, Page } from 'playwright-core';
import { beforeEach, describe, expect, test } from 'vitest';
import { baseUrl, expectAccessible, login, useFreshPagePerTest } from '../setup/browser.ts';

const fresh = useFreshPagePerTest();
let page: Page;
let context: BrowserContext;
let browser: Browser;
beforeEach(() => {
  page = fresh.page();
  context = fresh.context();
  browser = fresh.browser();
});

describe('multiplier', () => {
  test('opens a cohort dashboard, filters and sorts the matrix and opens the item analysis', async () => {
    await login(page, 'max.multiplikator@musterstadt.example');
    await page.goto('/multiplikator');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Ordnung und Verkehr' }).click();
    await page.waitForLoadState('load');
    const main = page.locator('main');
    await expect.poll(() => main.innerText()).toContain('Personen in der Kohorte');
    expect(await page.locator('main svg[role="img"][aria-label]').count()).toBe(3);
    await expect.poll(() => main.innerText()).toContain('Als Tabelle anzeigen');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Personen' }).click();
    await page.waitForLoadState('load');
    await page.getByLabel('Organisationseinheit').selectOption({ label: 'FB3-FS – Führerscheinstelle' });
    await page.getByRole('button', { name: 'Filtern' }).click();
    await page.waitForLoadState('load');
    expect(page.url()).toContain('einheit=');
    const rows = page.locator('main table.matrix tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(2);
    for (const text of await page.locator('main table.matrix tbody tr td:nth-child(2)').allInnerTexts()) expect(text).toContain('FB3-FS');
    await page.locator('table.matrix thead a', { hasText: 'Pflichtpfad' }).click();
    await page.waitForLoadState('load');
    expect(page.url()).toContain('sortierung=fortschritt');
    expect(page.url()).toContain('einheit=');
    await expect.poll(() => page.locator('th[aria-sort="ascending"]').innerText()).toContain('Pflichtpfad');
    await expectAccessible(page);
    const csv = await page.request.get(`${page.url().replace('/personen?', '/personen.csv?')}`);
    expect(csv.status()).toBe(200);
    expect((await csv.body()).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));

    await page.getByRole('link', { name: 'Quizfragen' }).click();
    await page.waitForLoadState('load');
    await expect.poll(() => main.innerText()).toMatch(/am häufigsten falsch beantwortet|Zu wenige Antworten/);
    await expectAccessible(page);
    // a unit with fewer people than the minimum: suppressed
    await page.getByLabel('Tätigkeitsprofil').selectOption({ label: 'Führungskräfte' });
    await page.getByRole('button', { name: 'Anzeigen' }).click();
    await page.waitForLoadState('load');
    await expect.poll(() => main.innerText()).toContain('Zu wenige Antworten');
    await expectAccessible(page);
  });

  test('filters the matrix without JavaScript, and refuses another cohort id', async () => {
    await login(page, 'max.multiplikator@musterstadt.example');
    await page.goto('/multiplikator');
    await page.getByRole('link', { name: 'Soziales und Jugend' }).click();
    await page.waitForLoadState('load');
    const cohortUrl = page.url();
    const noJs = await browser.newContext({ baseURL: baseUrl(), javaScriptEnabled: false, locale: 'de-DE' });
    await noJs.addCookies(await context.cookies());
    const p2 = await noJs.newPage();
    await p2.goto(`${cohortUrl}/personen`);
    await p2.getByLabel('Status des Pflichtpfads').selectOption({ label: 'überfällig' });
    await p2.getByRole('button', { name: 'Filtern' }).click();
    await p2.waitForLoadState('load');
    expect(p2.url()).toContain('status=overdue');
    const states = await p2.locator('main table.matrix tbody tr td:nth-child(4)').allInnerTexts();
    expect(states.length).toBeGreaterThan(0);
    for (const s of states) expect(s).toContain('überfällig');
    await p2.goto(`${cohortUrl}/personen?einheit=gibt-es-nicht`);
    await expect.poll(() => p2.locator('main').innerText()).toContain('unbekannten Wert');
    const tampered = cohortUrl.replace(/[0-9a-f]$/, (c) => (c === '0' ? '1' : '0'));
    expect((await p2.goto(`${tampered}/personen`))?.status()).toBe(404);
    expect((await p2.request.get(`${tampered}/personen.csv`)).status()).toBe(404);
    expect((await p2.request.get(`${tampered}/fragen`)).status()).toBe(404);
    await noJs.close();
  });

  test('the learner sees their multiplier; the admin page lists the cohorts', async () => {
    await login(page, 'lena.lernende@musterstadt.example');
    await page.goto('/lernen');
    await expect.poll(() => page.locator('main').innerText()).toContain('Max Multiplikator');
    await expectAccessible(page);
    const admin = await browser.newContext({ baseURL: baseUrl(), locale: 'de-DE' });
    const ap = await admin.newPage();
    await login(ap, 'admin@musterstadt.example');
    await ap.goto('/verwaltung/kohorten');
    await expect.poll(() => ap.locator('main').innerText()).toContain('Ordnung und Verkehr');
    await expectAccessible(ap);
    await ap.getByRole('link', { name: 'Soziales und Jugend' }).click();
    await ap.waitForLoadState('load');
    await expect.poll(() => ap.locator('main').innerText()).toContain('Max Multiplikator');
    await expectAccessible(ap);

    // create a cohort with the org-unit picker, add the multiplier by e-mail search, end it after confirming
    await ap.goto('/verwaltung/kohorten');
    // the privacy settings save (unchanged: person-level views on, minimum 5)
    await ap.getByRole('button', { name: 'Einstellungen speichern' }).click();
    await ap.waitForLoadState('load');
    await expect.poll(() => ap.locator('main').innerText()).toContain('Die Einstellungen wurden gespeichert.');
    expect(await ap.getByLabel(/Lernstand einzelner Personen/).isChecked()).toBe(true);
    await ap.getByLabel('Name der Kohorte').fill('Zulassung Pilot');
    await ap.getByRole('checkbox', { name: 'FB3-ZUL – Kfz-Zulassungsstelle gehört dazu' }).check();
    await ap.getByLabel('Einzelne Personen (optional)').fill('paula.personal@musterstadt.example');
    await ap.getByRole('button', { name: 'Kohorte anlegen' }).click();
    await ap.waitForLoadState('load');
    await expect.poll(() => ap.getByRole('status').first().innerText()).toContain('angelegt');
    await expect.poll(() => ap.locator('main dl').innerText()).toContain('FB3-ZUL – Kfz-Zulassungsstelle; 1 einzeln gewählte Person');
    await ap.getByLabel('E-Mail-Adresse (oder ein Teil davon)').fill('max.multi');
    await ap.getByRole('button', { name: 'Suchen' }).click();
    await ap.waitForLoadState('load');
    await expectAccessible(ap);
    await ap.getByRole('button', { name: 'Max Multiplikator zuordnen' }).click();
    await ap.waitForLoadState('load');
    await expect.poll(() => ap.locator('main').innerText()).toContain('Die Zuordnung wurde gespeichert.');
    await ap.getByRole('link', { name: 'Kohorte beenden …' }).click();
    await ap.waitForLoadState('load');
    await expectAccessible(ap);
    await ap.getByRole('button', { name: 'Ja, Kohorte beenden' }).click();
    await ap.waitForLoadState('load');
    await expect.poll(() => ap.locator('main').innerText()).toContain('Die Kohorte wurde beendet.');
    await expect
      .poll(() => ap.getByRole('table', { name: 'Kohorten, laufende zuerst' }).innerText())
      .toMatch(/Zulassung Pilot[\s\S]*beendet am/);
    await admin.close();
  });
});
