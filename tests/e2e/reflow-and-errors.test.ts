/**
 * WCAG 1.4.10 Reflow at 360 CSS px for every lesson of the curriculum and the certificate check, and announced
 * server-side errors (WCAG 3.3.1, 4.1.3): focused summary first in main, fields marked and described, "Fehler: " in
 * the title — with and without JavaScript. Uses a person of its own, so other browser tests keep their demo data.
 */
import { dirname, join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { openDb } from '../../db/client.ts';
import { certificateTable, userTable } from '../../db/schema/index.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { loadContent } from '../../src/lib/server/content/load-content.ts';
import { completeCourseWithAnswerKey } from '../../src/lib/server/demo/seed-demo-learning.ts';
import { createUser } from '../../src/lib/server/users/create-user.ts';
import { getAuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { baseUrl, expectAccessible, launchBrowser, login } from '../setup/browser.ts';

const EMAIL = 'rita.reflow@musterstadt.example';
const PASSWORD = 'reflow-e2e-Passwort-1';
const content = loadContent({ root: process.cwd() });
const NARROW = { width: 360, height: 740 };

let browser: Browser;
let certificateId = '';
beforeAll(async () => {
  browser = await launchBrowser();
  const dbUrl = inject('dbUrl');
  const { db, close } = await openDb({ url: dbUrl });
  try {
    configureCertificateIssuing({ keyDir: join(dirname(dbUrl.slice('file:'.length)), 'keys') });
    const [existing] = await db.select().from(userTable).where(eq(userTable.email, EMAIL));
    const id = existing?.id ?? (await createUser(db, { tenant: 'musterstadt', email: EMAIL, name: 'Rita Reflow', password: PASSWORD })).id;
    const learner = await getAuthUser(db, id);
    if (!learner) throw new Error('Testkonto fehlt');
    const [cert] = await db.select().from(certificateTable).where(eq(certificateTable.userId, id));
    if (!cert) await completeCourseWithAnswerKey(db, learner, content, 'ki-betrieb-it', new Date(Date.now() - 86_400_000));
    const [issued] = await db.select().from(certificateTable).where(eq(certificateTable.userId, id));
    certificateId = issued?.id ?? '';
  } finally {
    close();
  }
}, 120_000);
afterAll(async () => {
  await browser?.close();
});

async function narrowContext(javaScriptEnabled = true): Promise<BrowserContext> {
  return browser.newContext({ baseURL: baseUrl(), locale: 'de-DE', viewport: NARROW, javaScriptEnabled });
}

/** Page width beyond the viewport in CSS px (0 = no sideways scrolling). */
const overflow = (page: Page): Promise<number> =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('reflow at 360 CSS px (WCAG 1.4.10)', () => {
  test('every lesson fits the width; its tables scroll in their own labelled, focusable region', async () => {
    const context = await narrowContext();
    const page = await context.newPage();
    await login(page, EMAIL, PASSWORD);
    const lessons = [...content.courses.values()].flatMap((c) => c.lessons.map((l) => `/kurse/${c.course.id}/${l.id}`));
    expect(lessons.length).toBeGreaterThan(40);
    const tooWide: string[] = [];
    let tables = 0;
    for (const url of lessons) {
      const res = await page.goto(url);
      expect(res?.status(), url).toBe(200);
      const excess = await overflow(page);
      if (excess > 0) tooWide.push(`${url}: ${excess} px`);
      const unwrapped = await page.locator('article table').evaluateAll(
        (list) =>
          list.filter((t) => {
            const box = t.parentElement;
            return !(
              box?.classList.contains('table-scroll') &&
              box.getAttribute('role') === 'region' &&
              box.getAttribute('tabindex') === '0' &&
              (box.getAttribute('aria-label') ?? '').startsWith('Tabelle')
            );
          }).length,
      );
      expect(unwrapped, `${url}: Tabellen ohne eigenen Scrollbereich`).toBe(0);
      tables += await page.locator('article .table-scroll').count();
    }
    expect(tooWide).toEqual([]);
    expect(tables).toBeGreaterThan(10);

    // the two lessons that scrolled sideways before: no overflow, every table region reachable by keyboard
    for (const url of ['/kurse/prompting/bausteine-guter-prompts', '/kurse/ki-kompetenz-basis/artikel-4']) {
      await page.goto(url);
      expect(await overflow(page), url).toBeLessThanOrEqual(0);
      for (const region of await page.locator('article .table-scroll').all()) {
        await region.focus();
        expect(await region.evaluate((el) => el === document.activeElement)).toBe(true);
      }
      await expectAccessible(page);
    }
    await page.goto('/kurse/prompting/bausteine-guter-prompts');
    const region = page.locator('article .table-scroll').first();
    expect(await region.getAttribute('aria-label')).toBe('Tabelle: Die sieben Bausteine');
    // the table is wider than the phone: it scrolls inside its region, the page does not
    expect(await region.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await context.close();
  }, 600_000);

  test('the certificate check and its result fit the width', async () => {
    const context = await narrowContext();
    const page = await context.newPage();
    await page.goto('/zertifikat-pruefen');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page);
    expect(certificateId).toMatch(/^[0-9A-Z]{10}$/);
    await page.goto(`/zertifikat-pruefen/${certificateId}`);
    await expect.poll(() => page.locator('main').innerText()).toContain('Ergebnis: Echt');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await expectAccessible(page);
    await context.close();
  });
});

/** Checks the announced error: focus on the summary, title, skip link, summary first in main. */
async function expectErrorSummary(page: Page, message: string, withAxe = true): Promise<void> {
  expect(await page.title()).toMatch(/^Fehler: /);
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('fehler');
  const summary = page.locator('#fehler');
  expect(await summary.getAttribute('role')).toBe('alert');
  expect(await summary.innerText()).toContain(message);
  expect(await page.locator('main .container > :first-child').getAttribute('id')).toBe('fehler');
  expect(await page.locator('a.skip-link[href="#fehler"]').count()).toBe(1);
  // axe runs as a script in the page, so only where JavaScript is on
  if (withAxe) await expectAccessible(page);
}

/** Every control marked invalid is described by a visible message that contains `message`. */
async function expectInvalidDescribed(page: Page, selector: string, message: string): Promise<void> {
  const controls = page.locator(selector);
  expect(await controls.count()).toBeGreaterThan(0);
  for (const control of await controls.all()) {
    expect(await control.getAttribute('aria-invalid')).toBe('true');
    const ids = (await control.getAttribute('aria-describedby'))?.split(' ') ?? [];
    const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).innerText()));
    expect(texts.join(' ')).toContain(message);
  }
}

describe('announced errors (WCAG 3.3.1, 4.1.3)', () => {
  for (const javaScriptEnabled of [true, false])
    test(`a refused login focuses the summary, marks the fields and keeps the e-mail address (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
      const context = await narrowContext(javaScriptEnabled);
      const page = await context.newPage();
      await page.goto('/anmelden');
      await page.getByLabel('E-Mail-Adresse').fill(EMAIL);
      await page.getByLabel('Passwort').fill('falsches-Passwort');
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.getByLabel('Passwort').press('Enter'),
      ]);
      expect(response.status()).toBe(401);
      await page.waitForLoadState('load');
      const message = 'E-Mail-Adresse oder Passwort ist nicht korrekt.';
      await expectErrorSummary(page, message, javaScriptEnabled);
      expect(await page.getByLabel('E-Mail-Adresse').inputValue()).toBe(EMAIL);
      expect(await page.getByLabel('Passwort').inputValue()).toBe('');
      await expectInvalidDescribed(page, '#email, #password', message);
      // the summary's link takes the keyboard to the field
      await page.locator('#fehler a').press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('email');
      // the next, correct attempt signs in
      await page.getByLabel('Passwort').fill(PASSWORD);
      await page.getByLabel('Passwort').press('Enter');
      await page.waitForURL((url) => !url.pathname.startsWith('/anmelden'));
      await context.close();
    });

  test('a refused quiz answer focuses the summary and marks the question’s controls', async () => {
    const context = await narrowContext();
    const page = await context.newPage();
    await login(page, EMAIL, PASSWORD);
    await page.goto('/kurse/datenschutz/quiz');
    await page.getByRole('button', { name: /Quiz (starten|fortsetzen)|Neuen Versuch starten/ }).click();
    await page.waitForURL(/\/kurse\/datenschutz\/quiz\/[0-9a-f-]{36}$/);
    // a submission without an answer, as a browser without form validation would send it
    await page.locator('form:has(button:text("Antwort prüfen"))').evaluate((form) => {
      (form as HTMLFormElement).noValidate = true;
    });
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Antwort prüfen' }).click(),
    ]);
    expect(response.status()).toBe(400);
    await page.waitForLoadState('load');
    const message = (await page.locator('#fehler li').innerText()).trim();
    expect(message.length).toBeGreaterThan(10);
    await expectErrorSummary(page, message);
    await expectInvalidDescribed(page, 'fieldset input, fieldset select', message);
    const target = (await page.locator('#fehler a').getAttribute('href')) ?? '';
    expect(await page.locator(`[id="${target.slice(1)}"]`).count()).toBe(1);
    await context.close();
  });
});

describe('public Open Badges achievements', () => {
  test('answers the achievement id of a credential with JSON-LD and its image with a PNG, without a login', async () => {
    const path = [...content.paths.values()][0];
    if (!path) throw new Error('kein Lernpfad');
    const doc = await fetch(`${baseUrl()}/abzeichen/lernpfad/${path.id}`);
    expect(doc.status).toBe(200);
    expect(doc.headers.get('content-type')).toContain('application/ld+json');
    const json = (await doc.json()) as { id: string; name: string; image: { id: string } };
    expect(json.name).toBe(path.title);
    expect(new URL(json.id).pathname).toBe(`/abzeichen/lernpfad/${path.id}`);
    const png = await fetch(`${baseUrl()}${new URL(json.image.id).pathname}`);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect((await fetch(`${baseUrl()}/abzeichen/lernpfad/gibt-es-nicht`)).status).toBe(404);
    expect((await fetch(`${baseUrl()}/abzeichen/person/${path.id}`)).status).toBe(404);
  });
});
