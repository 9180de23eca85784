import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type RunningProcess, startKiko } from '../../bench/lib/server.ts';
import { baseUrl, expectAccessible, login, useFreshPagePerTest } from '../setup/browser.ts';
import { startTestSmtp, type TestSmtp } from '../setup/smtp-server.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

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
    await p2.goto(`${cohortUrl}/personen?status=overdue`);
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

// reminders on a server of their own with a real SMTP server: the shared demo server's people may already be in their
// cool-down from the admin's reminder test
describe('in-person session', () => {
  test('the multiplier records a past session and its attendance; the colleague sees it and the lesson done in person', async () => {
    // a colleague of the demo district (fixed seed) who has not begun yet
    const learner = 'petra.rossi-1161@musterstadt.example';
    await login(page, 'max.multiplikator@musterstadt.example');
    await page.goto('/multiplikator');
    await page.getByRole('link', { name: 'Ordnung und Verkehr' }).click();
    await page.waitForLoadState('load');
    await page.getByRole('navigation', { name: 'Bereiche der Kohorte' }).getByRole('link', { name: 'Termine' }).click();
    await page.waitForLoadState('load');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Neuen Termin anlegen' }).click();
    await page.waitForLoadState('load');
    await expectAccessible(page);
    // yesterday in Berlin: attendance can be recorded at once
    const yesterday = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin' }).format(new Date(Date.now() - 86_400_000));
    await page.getByLabel('Art des Termins').selectOption({ label: 'Präsenzschulung' });
    await page.getByLabel('Thema').fill('Was ist ein KI-System? Vor Ort erklärt');
    await page.getByLabel('Passender Kurs oder passende Lektion (optional)').selectOption('ki-grundlagen/ki-system');
    await page.getByLabel('Datum').fill(yesterday);
    await page.getByLabel('Beginn (Uhrzeit)').fill('09:00');
    await page.getByLabel('Dauer in Minuten').fill('90');
    await page.getByLabel('Ort (Raum und Adresse)').fill('Kreishaus, Raum 2.14');
    await page.getByRole('button', { name: 'Termin anlegen' }).click();
    await page.waitForLoadState('load');
    const main = page.locator('main');
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('Der Termin wurde angelegt');
    expect(await main.locator('dl').innerText()).toContain('hat stattgefunden');
    await expectAccessible(page);
    await page.getByLabel('Name oder E-Mail-Adresse').fill('petra.rossi-1161');
    await page.getByRole('button', { name: 'Suchen' }).click();
    await page.waitForLoadState('load');
    await page.getByRole('checkbox', { name: new RegExp(learner.replaceAll('.', '\\.')) }).check();
    await page.getByRole('button', { name: 'Hinzufügen' }).click();
    await page.waitForLoadState('load');
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('1 Person wurde hinzugefügt');
    await page
      .getByRole('group', { name: 'Wer war da?' })
      .getByRole('checkbox', { name: /Petra Rossi/ })
      .check();
    await page.getByRole('button', { name: 'Anwesenheit speichern' }).click();
    await page.waitForLoadState('load');
    await expect
      .poll(() => page.getByRole('status').first().innerText())
      .toContain('Anwesenheit gespeichert: 1 Person; 1 Abschluss in Präsenz eingetragen.');
    expect(await main.innerText()).toContain('Für alle Eingeladenen ist die Anwesenheit erfasst.');
    await expectAccessible(page);

    const other = await browser.newContext({ baseURL: baseUrl(), locale: 'de-DE' });
    const lp = await other.newPage();
    await login(lp, learner);
    await lp.goto('/verlauf');
    const rows = await lp.locator('main table tbody tr').allInnerTexts();
    expect(rows.some((r) => /Präsenztermin besucht/.test(r) && r.includes('Was ist ein KI-System? Vor Ort erklärt'))).toBe(true);
    expect(rows.some((r) => /Lektion erledigt/.test(r) && /in Präsenz/.test(r))).toBe(true);
    await expectAccessible(lp);
    await other.close();
  });
});

describe('multiplier reminders', () => {
  let smtp: TestSmtp;
  let t: TestDb;
  let server: RunningProcess | undefined;
  let base = '';
  beforeAll(async () => {
    smtp = await startTestSmtp();
    t = await createTestDb();
    server = await startKiko({
      root: process.cwd(),
      dbUrl: t.url,
      keyDir: join(t.dir, 'keys'),
      env: {
        KIKO_DEMO: 'true',
        KIKO_SMTP_URL: smtp.url,
        KIKO_MAIL_FROM: 'KIKO Musterstadt <kiko@musterstadt.example>',
        KIKO_MAIL_INTERVAL_SECONDS: '1',
      },
      timeoutMs: 90_000,
    });
    base = server.url;
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
    t?.cleanup();
  });

  test('reminds the cohort by status: preview, a double click sends once, the log shows the delivery', { timeout: 120_000 }, async () => {
    const ctx = await browser.newContext({ baseURL: base, locale: 'de-DE' });
    const p = await ctx.newPage();
    p.setDefaultTimeout(15_000);
    await login(p, 'max.multiplikator@musterstadt.example');
    await p.goto('/multiplikator');
    await p.getByRole('link', { name: 'Soziales und Jugend' }).click();
    await p.waitForLoadState('load');
    await p.getByRole('navigation', { name: 'Bereiche der Kohorte' }).getByRole('link', { name: 'Erinnerungen' }).click();
    await p.waitForLoadState('load');
    const main = p.locator('main');
    await expect.poll(() => main.innerText()).toContain('Protokoll');
    // the demo district's cohort already has a reminder history: what the log held before this send
    const entriesBefore = await p
      .getByRole('table', { name: /einzeln/ })
      .locator('tbody tr')
      .count();
    expect(await p.getByLabel('überfällig', { exact: true }).isChecked()).toBe(true);
    await expectAccessible(p);
    await p.getByRole('button', { name: 'Vorschau anzeigen' }).click();
    await p.waitForLoadState('load');
    await expect.poll(() => main.innerText()).toMatch(/\d+ von \d+ Personen mit Status „überfällig“ würden erinnert/);
    expect(await main.innerText()).toContain('So lautet die E-Mail');
    expect(await main.locator('pre.mail-text').innerText()).toMatch(/^Guten Tag .+,/);
    await expectAccessible(p);
    const button = p.getByRole('button', { name: /Erinnerungen? senden/ });
    const due = Number(/(\d+) Erinnerung/.exec(await button.innerText())?.[1]);
    expect(due).toBeGreaterThan(0);
    // a double click: the second post carries the same send key
    const sentFrom = new Date();
    await button.dblclick();
    await expect.poll(() => main.innerText()).toContain('Stand des Versands');
    await smtp.waitFor(due, 30_000);
    await expect.poll(() => p.reload().then(() => main.innerText()), { timeout: 30_000 }).toContain(`${due} versendet`);
    await expectAccessible(p);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(smtp.received).toHaveLength(due);
    expect(smtp.received[0]?.subject).toMatch(/^Erinnerung: .+ in KIKO$/);

    await p.getByRole('link', { name: 'Zum Protokoll der Erinnerungen' }).click();
    await p.waitForLoadState('load');
    const sends = p.getByRole('table', { name: /je Versand/ });
    // the newest send comes first
    await expect
      .poll(() => sends.locator('tbody tr').first().innerText())
      .toMatch(new RegExp(`Ihnen\\s+Standard-Erinnerung\\s+${due}\\s+${due} versendet`));
    const entries = p.getByRole('table', { name: /einzeln/ }).locator('tbody tr');
    expect(await entries.count()).toBe(Math.min(100, entriesBefore + due));
    // the newest entries are this send's (the demo's reminders are all older than a week): one row per reminder
    const berlinDay = (d: Date) => new Intl.DateTimeFormat('de-DE', { dateStyle: 'medium', timeZone: 'Europe/Berlin' }).format(d);
    const days = new Set([berlinDay(sentFrom), berlinDay(new Date())]);
    const cells = await entries.locator('td:first-child').allInnerTexts();
    expect(cells.filter((c) => days.has(c.slice(0, 10))).length).toBe(Math.min(100, due));
    await expectAccessible(p);
    // the same people again: all in their cool-down, nothing to send
    await p.goto(p.url().replace(/\/erinnerungen.*$/, '/erinnerungen/senden?status=overdue'));
    await expect.poll(() => main.innerText()).toMatch(/0 von \d+ Personen mit Status „überfällig“ würden erinnert/);
    expect(await main.innerText()).toContain('in der Sperrfrist schon eine Erinnerung erhalten');
    expect(await p.getByRole('button', { name: /senden$/ }).count()).toBe(0);
    await ctx.close();
  });

  test('reminds people picked in the matrix (also without JavaScript) and refuses a person of another cohort', {
    timeout: 120_000,
  }, async () => {
    const ctx = await browser.newContext({ baseURL: base, locale: 'de-DE' });
    const p = await ctx.newPage();
    p.setDefaultTimeout(15_000);
    await login(p, 'max.multiplikator@musterstadt.example');
    await p.goto('/multiplikator');
    await p.getByRole('link', { name: 'Ordnung und Verkehr' }).click();
    await p.waitForLoadState('load');
    const cohortUrl = p.url();
    // overdue people: each has a course open
    await p.goto(`${cohortUrl}/personen?status=overdue`);
    const boxes = p.locator('main table.matrix tbody input[type="checkbox"][name="person"]');
    const picked = [await boxes.nth(0).getAttribute('value'), await boxes.nth(1).getAttribute('value')] as string[];
    const names = [
      await p.locator(`label[for="person-${picked[0]}"]`).innerText(),
      await p.locator(`label[for="person-${picked[1]}"]`).innerText(),
    ];
    await boxes.nth(0).check();
    await p.getByLabel(names[1] as string, { exact: true }).check();
    await expectAccessible(p);
    await p.getByRole('button', { name: 'Erinnerung an Auswahl' }).click();
    await p.waitForLoadState('load');
    const main = p.locator('main');
    await expect.poll(() => main.innerText()).toMatch(/2 von 2 ausgewählten Personen würden erinnert/);
    const preview = p.getByRole('table', { name: /Wer erinnert würde/ });
    for (const n of names) expect(await preview.innerText()).toContain(n);
    await expectAccessible(p);
    await p.getByRole('button', { name: '2 Erinnerungen senden' }).click();
    await expect.poll(() => main.innerText()).toContain('Stand des Versands');
    await expect.poll(() => p.reload().then(() => main.innerText()), { timeout: 30_000 }).toContain('2 versendet');

    // without JavaScript the matrix form leads to the same preview
    const noJs = await browser.newContext({ baseURL: base, javaScriptEnabled: false, locale: 'de-DE' });
    await noJs.addCookies(await ctx.cookies());
    const p2 = await noJs.newPage();
    await p2.goto(`${cohortUrl}/personen?status=overdue`);
    await p2.locator('main table.matrix tbody input[type="checkbox"][name="person"]').nth(2).check();
    await p2.getByRole('button', { name: 'Erinnerung an Auswahl' }).click();
    await p2.waitForLoadState('load');
    expect(p2.url()).toContain('/erinnerungen/senden?person=');
    await expect.poll(() => p2.locator('main').innerText()).toMatch(/1 ausgewählten Person würde erinnert/);
    await noJs.close();

    // a person of this cohort posted to the other cohort's page: not found, nothing sent
    await p.goto('/multiplikator');
    await p.getByRole('link', { name: 'Soziales und Jugend' }).click();
    await p.waitForLoadState('load');
    const before = smtp.received.length;
    const res = await p.request.post(`${p.url()}/erinnerungen/senden`, {
      form: { key: '7f0c2a36-0000-4000-8000-000000000001', vorlage: 'standard', person: picked[0] as string },
      headers: { origin: base },
    });
    expect(res.status()).toBe(404);
    expect((await p.request.get(`${p.url()}/erinnerungen/senden?person=${picked[0]}`)).status()).toBe(404);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(smtp.received.length).toBe(before);
    await ctx.close();
  });
});
