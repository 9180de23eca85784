/**
 * District administration in the browser: the admin imports a small CSV (dry run, apply, the same file again changes
 * nothing), edits a person's org unit, deactivates a person (whose session ends at once and who can no longer log
 * in), works on the org tree; a person downloads their own data; the platform operator creates a district (its first
 * admin sets a password through the invitation and signs in) and suspends it (the admin's session ends, login is
 * refused), seeing no person's name on the operator pages. Axe on every page.
 */
import { createClient } from '@libsql/client';
import iconv from 'iconv-lite';
import type { Browser, Page } from 'playwright-core';
import { beforeEach, describe, expect, inject, test } from 'vitest';
import { baseUrl, expectAccessible, login, newContext, useFreshPagePerTest } from '../setup/browser.ts';

const fresh = useFreshPagePerTest();
let page: Page;
let browser: Browser;
beforeEach(() => {
  page = fresh.page();
  browser = fresh.browser();
});

const csv = iconv.encode(
  [
    'Personalnummer;Vorname;Nachname;E-Mail;Organisationseinheit;Funktion',
    'E2E-1;Jürgen;Größer;juergen.groesser@musterstadt.example;FB2-JA;Sachbearbeitung',
    'E2E-2;Ännchen;Weiß;aennchen.weiss@musterstadt.example;Sozialamt;Führungskraft',
  ].join('\r\n'),
  'win1252',
);

async function upload(p: Page): Promise<void> {
  await p.goto('/verwaltung/import');
  await expectAccessible(p);
  await p.getByLabel('CSV-Datei').setInputFiles({ name: 'personal.csv', mimeType: 'text/csv', buffer: csv });
  await p.getByRole('button', { name: 'Hochladen und prüfen' }).click();
  await p.waitForURL(/\/verwaltung\/import\?datei=/);
}

describe('staff import', () => {
  test('dry run, apply, and the same file again changes nothing', async () => {
    await login(page, 'admin@musterstadt.example');
    await page.goto('/verwaltung');
    await expectAccessible(page);
    await upload(page);
    const main = page.locator('main');
    await expect.poll(() => main.innerText()).toContain('Zeichensatz Windows-1252');
    expect(await main.innerText()).toMatch(/Neu:\s*2/);
    await expectAccessible(page);
    await page.getByRole('button', { name: /Jetzt übernehmen: 2 Änderung/ }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('Übernommen: 2 neu, 0 geändert');
    await expectAccessible(page);

    await upload(page);
    await expect.poll(() => main.innerText()).toMatch(/Unverändert:\s*2/);
    expect(await main.innerText()).toMatch(/Neu:\s*0/);
    await page.getByRole('button', { name: 'Übernehmen (keine Änderungen)' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('keine Änderungen');
  });

  test('a file with errors shows them with line numbers and cannot be applied', async () => {
    await login(page, 'admin@musterstadt.example');
    await page.goto('/verwaltung/import');
    await page.getByLabel('CSV-Datei').setInputFiles({
      name: 'fehler.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('E-Mail,Name,Org unit\nfalsch@musterstadt.example,Fritz Falsch,Amt 99\n'),
    });
    await page.getByRole('button', { name: 'Hochladen und prüfen' }).click();
    await expect.poll(() => page.locator('main table').first().innerText()).toContain('„Amt 99“ gibt es in KIKO nicht');
    expect(await page.getByRole('button', { name: /übernehmen/i }).count()).toBe(0);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Datei verwerfen und eine andere hochladen' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('verworfen');
  });
});

describe('people', () => {
  test('the admin finds an imported person and changes their org unit; the person page shows it', async () => {
    await login(page, 'admin@musterstadt.example');
    await page.goto('/verwaltung/personen');
    await expectAccessible(page);
    await page.getByLabel('Name, E-Mail oder Personalnummer').fill('groesser');
    await page.getByRole('button', { name: 'Anzeigen' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('1 Person(en) gefunden');
    await page.getByRole('link', { name: 'Jürgen Größer' }).click();
    await expect.poll(() => page.locator('h1').innerText()).toBe('Jürgen Größer');
    await expectAccessible(page);
    await page.getByLabel('Organisationseinheit', { exact: true }).selectOption({ label: '\u00a0\u00a0\u00a0\u00a0FB2-SA – Sozialamt' });
    await page.getByRole('button', { name: 'Speichern', exact: true }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('der Wechsel steht im Lernnachweis');
    expect(await page.locator('dl').innerText()).toContain('FB2-SA – Sozialamt');
    // the membership history names the move with its dates, newest first
    const history = page.getByRole('table', { name: /Verlauf der Zugehörigkeit/ });
    expect(await history.locator('tbody tr').first().innerText()).toContain('→ FB2-SA – Sozialamt');
    expect(await history.locator('tbody tr').last().innerText()).toContain('Angelegt');
    await expectAccessible(page);
    // an imported person has no password yet: the admin sends the invitation
    await page.getByRole('button', { name: 'Einladung per E-Mail senden' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('Die Einladung ist im Versand');
  });

  test('deactivating a person ends their session at once and they cannot log in; reactivating lets them in', async () => {
    const other = await newContext(browser);
    const frieda = await other.newPage();
    await login(frieda, 'frieda.fuehrung@musterstadt.example');
    await frieda.goto('/lernen');
    expect(new URL(frieda.url()).pathname).toBe('/lernen');

    await login(page, 'admin@musterstadt.example');
    await page.goto('/verwaltung/personen?q=frieda');
    await page.getByRole('link', { name: 'Frieda Führung' }).click();
    await page.getByRole('link', { name: 'Deaktivieren …' }).click();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Ja, deaktivieren' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('Ihre Sitzungen sind beendet');
    await expectAccessible(page);

    await frieda.goto('/lernen');
    expect(new URL(frieda.url()).pathname).toBe('/anmelden');
    await login(frieda, 'frieda.fuehrung@musterstadt.example');
    expect(await frieda.locator('main').innerText()).toContain('E-Mail-Adresse oder Passwort ist nicht korrekt');

    await page.getByRole('button', { name: 'Wieder aktivieren' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('wieder aktiv');
    await login(frieda, 'frieda.fuehrung@musterstadt.example');
    expect(new URL(frieda.url()).pathname).not.toBe('/anmelden');
    await other.close();
  });

  test('the last admin of a district cannot deactivate themselves or drop the admin role', async () => {
    await login(page, 'admin@beispielhausen.example');
    await page.goto('/verwaltung/personen?q=admin%40beispielhausen');
    await page.getByRole('link', { name: 'Otto Ordnung' }).click();
    await page.getByLabel('Administration', { exact: true }).uncheck();
    await page.getByRole('button', { name: 'Rollen speichern' }).click();
    await expect.poll(() => page.locator('main').innerText()).toContain('Das ist die letzte Administration für den ganzen Landkreis');
    await expectAccessible(page);
  });
});

describe('without JavaScript', () => {
  test('filtering the list, changing a job role and the deactivation confirmation work as plain forms', async () => {
    await login(page, 'admin@musterstadt.example');
    const noJs = await browser.newContext({ baseURL: baseUrl(), locale: 'de-DE', javaScriptEnabled: false });
    await noJs.addCookies(await fresh.context().cookies());
    const p = await noJs.newPage();
    await p.goto('/verwaltung/personen');
    await p.getByLabel('Name, E-Mail oder Personalnummer').fill('Weiß');
    await p.getByLabel('Tätigkeitsprofil').selectOption({ label: 'Führungskraft' });
    await p.getByRole('button', { name: 'Anzeigen' }).click();
    await expect.poll(() => p.locator('main table').innerText()).toContain('Ännchen Weiß');
    // both filters hold: every row found is a Führungskraft named Weiß
    for (const row of await p.locator('main table tbody tr').allInnerTexts()) expect(row).toMatch(/Weiß[\s\S]*Führungskraft/);
    await p.getByRole('link', { name: 'Ännchen Weiß' }).click();
    await p.getByLabel('Tätigkeitsprofil').selectOption({ label: 'IT/Digitalisierung' });
    await p.getByRole('button', { name: 'Speichern', exact: true }).click();
    await expect.poll(() => p.getByRole('status').first().innerText()).toContain('gespeichert');
    expect(await p.locator('dl').innerText()).toContain('IT/Digitalisierung');
    await p.getByRole('link', { name: 'Deaktivieren …' }).click();
    expect(await p.getByRole('button', { name: 'Ja, deaktivieren' }).count()).toBe(1);
    await p.getByRole('link', { name: 'Abbrechen' }).click();
    expect(await p.locator('dl').innerText()).toContain('aktiv');
    await noJs.close();
  });
});

describe('organisation', () => {
  test('creates a unit, shows the close preview and closes the empty unit', async () => {
    await login(page, 'admin@musterstadt.example');
    await page.goto('/verwaltung/organisation');
    await expectAccessible(page);
    await page.getByLabel('Kürzel').fill('E2E-NEU');
    await page.getByLabel('Name', { exact: true }).fill('Stabsstelle Digitales');
    await page.getByLabel('Übergeordnete Einheit').selectOption({ label: '\u00a0\u00a0FB1 – Fachbereich 1 – Zentrale Dienste' });
    await page.getByRole('button', { name: 'Anlegen' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('angelegt');
    await page.getByRole('link', { name: 'Stabsstelle Digitales schließen' }).click();
    await expect.poll(() => page.locator('main').innerText()).toContain('Die Einheit ist leer');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Einheit jetzt schließen' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('geschlossen');
    await expectAccessible(page);
  });

  test("another district's admin gets 404 for this district's person and org unit ids", async () => {
    await login(page, 'admin@musterstadt.example');
    await page.goto('/verwaltung/personen?q=lena');
    const personHref = (await page.getByRole('link', { name: 'Lena Lernende' }).getAttribute('href')) as string;
    await page.goto('/verwaltung/organisation');
    const unitHref = (await page.getByRole('link', { name: 'Jugendamt umbenennen' }).getAttribute('href')) as string;
    const other = await newContext(browser);
    const p = await other.newPage();
    await login(p, 'admin@beispielhausen.example');
    expect((await p.goto(personHref))?.status()).toBe(404);
    expect((await p.goto(unitHref))?.status()).toBe(404);
    expect(await p.locator('main').innerText()).not.toContain('Jugendamt');
    expect((await p.goto(`${personHref.slice(0, -1)}x`))?.status()).toBe(404);
    await expectAccessible(p);
    await other.close();
  });

  test('another role gets no access to the administration pages', async () => {
    await login(page, 'paula.personal@musterstadt.example');
    for (const path of ['/verwaltung/personen', '/verwaltung/organisation', '/verwaltung/import', '/verwaltung/aufbewahrung']) {
      const res = await page.goto(path);
      expect(res?.status(), path).toBe(403);
    }
  });
});

describe('retention', () => {
  test('the admin switches retention on with a period, a wrong period is explained, and switches it off again', async () => {
    await login(page, 'admin@musterstadt.example');
    await page.goto('/verwaltung');
    await page.getByRole('link', { name: 'Aufbewahrung' }).click();
    await expect.poll(() => page.locator('h1').innerText()).toBe('Aufbewahrung deaktivierter Konten');
    const main = page.locator('main');
    expect(await main.innerText()).toContain('noch keiner');
    await expectAccessible(page);
    await page.getByLabel('nach einer Frist').check();
    await page.getByLabel('Frist in Monaten nach der Deaktivierung').fill('0');
    // the browser's own min check would stop the form: the server's message is what this test reads
    await main.locator('form').evaluate((f) => f.setAttribute('novalidate', ''));
    await page.getByRole('button', { name: 'Speichern' }).click();
    await expect.poll(() => main.innerText()).toContain('Mindestens 1 Monat.');
    await expectAccessible(page);
    await page.getByLabel('Frist in Monaten nach der Deaktivierung').fill('24');
    await page.getByRole('button', { name: 'Speichern' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('gespeichert');
    expect(await main.innerText()).toContain('24 Monate nach der Deaktivierung');
    await expectAccessible(page);
    await page.getByLabel('nie (Standard)').check();
    await page.getByRole('button', { name: 'Speichern' }).click();
    await expect.poll(() => main.innerText()).toContain('aus (deaktivierte Konten bleiben erhalten)');
  });
});

describe('item statistics', () => {
  test('the content team sees every quiz item with facility and discrimination, filters to the flagged ones, and no names', async () => {
    await login(page, 'admin@musterstadt.example');
    await page.goto('/verwaltung');
    await page.getByRole('link', { name: 'Quizfragen' }).click();
    await expect.poll(() => page.locator('h1').innerText()).toBe('Quizfragen im Landkreis');
    const main = page.locator('main');
    const tables = main.locator('table');
    expect(await tables.count()).toBeGreaterThan(0);
    expect(await main.innerText()).toMatch(/\d+ Fragen mit [\d.]+ gezählten Antworten/);
    expect(await main.locator('th', { hasText: 'Trennschärfe' }).count()).toBeGreaterThan(0);
    await expectAccessible(page);
    await page.getByLabel('nur auffällige Fragen').check();
    await page.getByRole('button', { name: 'Anzeigen' }).click();
    await page.waitForURL(/nur=auffaellig/);
    const flaggedRows = await main.locator('tbody tr').count();
    for (let i = 0; i < flaggedRows; i++) expect(await main.locator('tbody tr').nth(i).locator('.badge').count()).toBeGreaterThan(0);
    await expectAccessible(page);
    expect(await main.innerText()).not.toContain('Lena Lernende');
  });
});

describe('own data', () => {
  test('a person reads and downloads their own data', async () => {
    await login(page, 'jonas.jugendamt@musterstadt.example');
    await page.goto('/verlauf');
    await page.getByRole('link', { name: 'Alle meine Daten ansehen und herunterladen' }).click();
    await expect.poll(() => page.locator('h1').innerText()).toBe('Meine Daten');
    expect(await page.locator('main').innerText()).toContain('jonas.jugendamt@musterstadt.example');
    await expectAccessible(page);
    const res = await page.request.get(`${baseUrl()}/verlauf/meine-daten.json`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-disposition']).toContain('attachment');
    const data = (await res.json()) as { profile: { email: string } };
    expect(data.profile.email).toBe('jonas.jugendamt@musterstadt.example');
  });
});

describe('operator console', () => {
  test('the operator creates a district, its admin accepts the invitation, the operator suspends and reactivates it', async () => {
    const slug = `e2e-${Date.now().toString(36)}`;
    const adminEmail = `erste.admin@${slug}.example`;
    await login(page, 'betrieb@kiko.example');
    await page.goto('/betrieb');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Landkreis anlegen' }).click();
    await expectAccessible(page);
    // a bad slug and e-mail: German messages per field, nothing created
    await page.getByRole('group', { name: 'Landkreis', exact: true }).getByLabel('Name').fill('Landkreis E2E');
    await page.getByLabel('Kürzel').fill('E2E Kreis!');
    await page.getByRole('group', { name: 'Erste Administration' }).getByLabel('Name').fill('Erika Erste');
    await page.getByLabel('E-Mail-Adresse').fill('keine-adresse@x');
    await page.getByRole('button', { name: 'Landkreis anlegen und Einladung senden' }).click();
    await expect.poll(() => page.locator('.error-summary').innerText()).toContain('nur Kleinbuchstaben, Ziffern');
    await expectAccessible(page);
    // a taken slug
    await page.getByRole('group', { name: 'Landkreis', exact: true }).getByLabel('Name').fill('Landkreis E2E');
    await page.getByLabel('Kürzel').fill('musterstadt');
    await page.getByRole('group', { name: 'Erste Administration' }).getByLabel('Name').fill('Erika Erste');
    await page.getByLabel('E-Mail-Adresse').fill(adminEmail);
    await page.getByRole('button', { name: 'Landkreis anlegen und Einladung senden' }).click();
    await expect.poll(() => page.locator('.error-summary').innerText()).toContain('Das Kürzel „musterstadt“ ist schon vergeben');
    await page.getByRole('group', { name: 'Landkreis', exact: true }).getByLabel('Name').fill('Landkreis E2E');
    await page.getByLabel('Kürzel').fill(slug);
    await page.getByLabel('Hausfarbe').fill('#225588');
    await page.getByRole('group', { name: 'Erste Administration' }).getByLabel('Name').fill('Erika Erste');
    await page.getByLabel('E-Mail-Adresse').fill(adminEmail);
    await page.getByRole('button', { name: 'Landkreis anlegen und Einladung senden' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('Der Landkreis ist angelegt');
    await expectAccessible(page);
    const districtUrl = new URL(page.url()).pathname;

    // the invitation is in the outbox (no SMTP server in this run): its link sets the first admin's password
    const client = createClient({ url: inject('dbUrl') });
    const mail = await client.execute({ sql: 'SELECT body_text FROM mail_messages WHERE to_address = ?', args: [adminEmail] });
    client.close();
    const link = /\/passwort-neu\?token=[a-z2-7.]+/.exec(String(mail.rows[0]?.body_text ?? ''))?.[0] ?? '';
    expect(link).not.toBe('');
    const adminContext = await newContext(browser);
    const admin = await adminContext.newPage();
    await admin.goto(link);
    await admin.getByLabel('Neues Passwort', { exact: true }).fill('erstes-passwort-e2e');
    await admin.getByLabel('Neues Passwort wiederholen').fill('erstes-passwort-e2e');
    await admin.getByRole('button', { name: 'Passwort speichern' }).click();
    await login(admin, adminEmail, 'erstes-passwort-e2e');
    expect((await admin.goto('/verwaltung'))?.status()).toBe(200);

    // the operator sees counts, never a name: not the new admin's, not the demo people's
    await page.goto(districtUrl);
    const text = await page.locator('main').innerText();
    for (const secret of ['Erika Erste', adminEmail, 'Lena', 'lena.lernende']) expect(text).not.toContain(secret);
    await page.goto('/betrieb');
    const list = await page.locator('main').innerText();
    expect(list).toContain('Landkreis E2E');
    for (const secret of ['Erika Erste', 'Lena Lernende', 'lena.lernende@musterstadt.example']) expect(list).not.toContain(secret);

    // suspend: a confirmation step, the slug typed, then the admin's session ends and login is refused
    await page.goto(districtUrl);
    await page.getByRole('link', { name: 'Landkreis sperren …' }).click();
    await expectAccessible(page);
    await page.getByLabel(/Zur Bestätigung das Kürzel eingeben/).fill('falsch');
    await page.getByRole('button', { name: 'Ja, sperren' }).click();
    await expect.poll(() => page.locator('.error-summary').innerText()).toContain('Zur Bestätigung bitte das Kürzel');
    await expectAccessible(page);
    await page.getByLabel(/Zur Bestätigung das Kürzel eingeben/).fill(slug);
    await page.getByRole('button', { name: 'Ja, sperren' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('Der Landkreis ist gesperrt');
    await expectAccessible(page);
    await admin.goto('/verwaltung');
    expect(new URL(admin.url()).pathname).toBe('/anmelden');
    await login(admin, adminEmail, 'erstes-passwort-e2e');
    await expect.poll(() => admin.locator('main').innerText()).toContain('E-Mail-Adresse oder Passwort ist nicht korrekt');

    await page.getByRole('button', { name: 'Wieder freigeben' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('wieder aktiv');
    await login(admin, adminEmail, 'erstes-passwort-e2e');
    expect((await admin.goto('/verwaltung'))?.status()).toBe(200);
    await adminContext.close();
  });

  test('a district admin gets no access to the operator pages', async () => {
    await login(page, 'admin@musterstadt.example');
    for (const path of ['/betrieb', '/betrieb/neu']) expect((await page.goto(path))?.status(), path).toBe(403);
  });
});
