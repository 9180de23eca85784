import { dirname, join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { openDb } from '../../db/client.ts';
import { certificateTable, userTable } from '../../db/schema/index.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { loadContent } from '../../src/lib/server/content/load-content.ts';
import { completeCourseWithAnswerKey } from '../../src/lib/server/demo/seed-demo-learning.ts';
import { getAuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { baseUrl, expectAccessible, launchBrowser, login, newContext } from '../setup/browser.ts';

// Frieda Führung (demo learner) gets a certificate here; Lena is left to the learning flow test.
const LEARNER = 'frieda.fuehrung@musterstadt.example';
const HR = 'paula.personal@musterstadt.example';
const COURSE_TITLE = 'KI-Kompetenz kompakt';

let browser: Browser;
let certificateId = '';
let pdf: Buffer = Buffer.alloc(0);
let credential: Buffer = Buffer.alloc(0);

beforeAll(async () => {
  browser = await launchBrowser();
  // the course is completed with the real verbs against the server's database; the server's key ring lives next
  // to it (tests/setup/e2e-global.ts: KIKO_KEY_DIR = <temp dir>/keys), so both processes sign with the same keys
  const dbUrl = inject('dbUrl');
  const { db, close } = await openDb({ url: dbUrl });
  try {
    configureCertificateIssuing({ keyDir: join(dirname(dbUrl.slice('file:'.length)), 'keys') });
    const [user] = await db.select().from(userTable).where(eq(userTable.email, LEARNER));
    const learner = user?.tenantId ? await getAuthUser(db, user.id) : null;
    if (!user || !learner) throw new Error(`Demo-Konto ${LEARNER} fehlt`);
    const existing = await db.select().from(certificateTable).where(eq(certificateTable.userId, user.id));
    if (existing.length === 0)
      await completeCourseWithAnswerKey(
        db,
        learner,
        loadContent({ root: process.cwd() }),
        'ki-kompetenz-basis',
        new Date(Date.now() - 86_400_000),
      );
    const [cert] = await db.select().from(certificateTable).where(eq(certificateTable.userId, user.id));
    certificateId = cert?.id ?? '';
  } finally {
    close();
  }
}, 120_000);
afterAll(async () => {
  await browser?.close();
});

/** Presses a control with the keyboard only: focus it, then Enter as a keyboard user would. */
async function press(page: Page, locator: ReturnType<Page['locator']>): Promise<void> {
  await locator.focus();
  await page.keyboard.press('Enter');
}

const mainText = (page: Page): Promise<string> => page.locator('main').innerText();

describe('Meine Zertifikate', () => {
  test('lists the certificate with downloads that are a real PDF, PNG and Open Badges credential', async () => {
    expect(certificateId).toMatch(/^[0-9A-Z]{10}$/);
    const context = await newContext(browser);
    const page = await context.newPage();
    await login(page, LEARNER);
    await press(page, page.getByRole('link', { name: 'Meine Zertifikate' }));
    await page.waitForURL('**/zertifikate');
    await expect.poll(() => mainText(page)).toContain(COURSE_TITLE);
    expect(await mainText(page)).toContain(`${certificateId.slice(0, 5)}-${certificateId.slice(5)}`);
    await expectAccessible(page);

    const download = async (name: RegExp): Promise<{ type: string; body: Buffer }> => {
      const href = await page.getByRole('link', { name }).getAttribute('href');
      const res = await page.request.get(href ?? '');
      expect(res.status()).toBe(200);
      return { type: res.headers()['content-type'] ?? '', body: await res.body() };
    };
    const pdfFile = await download(/^PDF herunterladen/);
    expect(pdfFile.type).toBe('application/pdf');
    expect(pdfFile.body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    pdf = pdfFile.body;
    const png = await download(/^Bild \(PNG\)/);
    expect(png.body.subarray(1, 4).toString('latin1')).toBe('PNG');
    const json = await download(/^Digitaler Nachweis/);
    expect(JSON.parse(json.body.toString('utf8'))).toMatchObject({ type: ['VerifiableCredential', 'OpenBadgeCredential'] });
    credential = json.body;

    // another person's certificate is "not found", also with a guessed id
    const guessed = `${certificateId.slice(0, 9)}${certificateId.endsWith('Z') ? 'Y' : 'Z'}`;
    expect((await page.request.get(`/zertifikate/${guessed}.pdf`)).status()).toBe(404);
    await context.close();
  });

  test('shows the empty state to a learner without certificates', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await login(page, 'max.multiplikator@musterstadt.example');
    await page.goto('/zertifikate');
    await expect.poll(() => mainText(page)).toContain('Noch keine Zertifikate');
    await expectAccessible(page);
    expect((await page.request.get(`/zertifikate/${certificateId}.pdf`)).status()).toBe(404);
    await context.close();
  });
});

describe('Zertifikat prüfen', () => {
  test('shows genuine with initials for the verify URL, and "nicht gefunden" for unknown and malformed ids', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const res = await page.goto(`/zertifikat-pruefen/${certificateId}`);
    expect(res?.status()).toBe(200);
    await expect.poll(() => page.getByRole('heading', { level: 2 }).first().innerText()).toBe('Ergebnis: Echt');
    const text = await mainText(page);
    expect(text).toContain(COURSE_TITLE);
    expect(text).toContain('Landkreis Musterstadt');
    expect(text).toContain('F. F.');
    expect(text).not.toContain('Frieda');
    await expectAccessible(page);
    const unknown = await page.goto('/zertifikat-pruefen/ZZZZZZZZZZ');
    const unknownText = await mainText(page);
    const malformed = await page.goto('/zertifikat-pruefen/%3Cscript%3E');
    expect(unknown?.status()).toBe(404);
    expect(malformed?.status()).toBe(404);
    expect(await mainText(page)).toBe(unknownText);
    expect(unknownText).toContain('Ergebnis: Nicht gefunden');
    await expectAccessible(page);
    await context.close();
  });

  test('checks a typed number and uploaded files with the keyboard', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto('/zertifikat-pruefen');
    await expectAccessible(page);
    await page.getByLabel('Zertifikat-Nummer').fill(certificateId.toLowerCase());
    await page.getByLabel('Zertifikat-Nummer').press('Enter');
    await page.waitForURL(`**/zertifikat-pruefen/${certificateId}`);
    await expect.poll(() => mainText(page)).toContain('Ergebnis: Echt');

    const upload = async (name: string, buffer: Buffer, mimeType: string): Promise<string> => {
      await page.goto('/zertifikat-pruefen');
      await page.getByLabel('Zertifikat als PDF oder digitaler Nachweis (JSON)').setInputFiles({ name, mimeType, buffer });
      await press(page, page.getByRole('button', { name: 'Datei prüfen' }));
      const verdict = page.getByRole('heading', { level: 2, name: /^Ergebnis:/ });
      await verdict.waitFor();
      return verdict.innerText();
    };
    expect(await upload('zertifikat.pdf', pdf, 'application/pdf')).toBe('Ergebnis: Echt');
    await expectAccessible(page);
    expect(await upload('nachweis.json', credential, 'application/json')).toBe('Ergebnis: Echt');
    const tampered = Buffer.from(pdf);
    const at = Math.floor(tampered.length / 3);
    tampered[at] = (tampered[at] ?? 0) ^ 1;
    expect(await upload('zertifikat.pdf', tampered, 'application/pdf')).toBe('Ergebnis: Nicht echt');
    expect(await mainText(page)).toContain('verändert');
    await expectAccessible(page);
    await context.close();
  });

  test('shows the German answer to a file over 512 KB, also one of 30 MB the server stops reading early', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    for (const mb of [2, 30]) {
      await page.goto('/zertifikat-pruefen');
      await page
        .getByLabel('Zertifikat als PDF oder digitaler Nachweis (JSON)')
        .setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(mb * 1024 * 1024, 0x41) });
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/zertifikat-pruefen') && r.request().method() === 'POST'),
        press(page, page.getByRole('button', { name: 'Datei prüfen' })),
      ]);
      expect(answer.status(), `${mb} MB`).toBe(413);
      await expect
        .poll(() => page.locator('body').innerText(), { message: `${mb} MB` })
        .toContain('Die Datei ist zu groß (höchstens 512 KB).');
    }
    await context.close();
  });
});

describe('Zertifikate verwalten', () => {
  test('a learner who posts the revoke or reissue form of their own certificate gets 403 and nothing changes', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await login(page, LEARNER);
    const post = (path: string, form: Record<string, string>) =>
      page.request.post(path, { form, headers: { Origin: baseUrl() }, maxRedirects: 0 });
    const here = `/personal/zertifikate/${certificateId}`;
    expect((await post(`${here}?_action=revokeCertificate`, { certificateId, reason: 'selbst widerrufen' })).status()).toBe(403);
    expect((await post('/_actions/revokeCertificate', { certificateId, reason: 'selbst widerrufen' })).status()).toBe(403);
    expect((await post(`${here}?_action=reissueCertificate`, { certificateId })).status()).toBe(403);
    expect((await post('/_actions/reissueCertificate', { certificateId })).status()).toBe(403);
    const check = await context.newPage();
    await check.goto(`/zertifikat-pruefen/${certificateId}`);
    await expect.poll(() => check.getByRole('heading', { level: 2 }).first().innerText()).toBe('Ergebnis: Echt');
    expect(await mainText(check)).not.toContain('ersetzt');
    await context.close();
  });

  test('HR revokes a certificate with a reason after confirming, and the verify page shows it revoked', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await login(page, HR);
    await page.goto('/personal/zertifikate');
    await expectAccessible(page);
    await page.getByLabel('Name, E-Mail oder Zertifikat-Nummer').fill('Frieda');
    await page.getByLabel('Name, E-Mail oder Zertifikat-Nummer').press('Enter');
    await page.waitForURL(/q=Frieda/);
    await press(page, page.getByRole('link', { name: COURSE_TITLE }));
    await page.waitForURL(`**/personal/zertifikate/${certificateId}`);
    await expectAccessible(page);
    await press(page, page.getByRole('link', { name: 'Widerrufen …' }));
    await page.waitForURL(/aktion=widerrufen/);
    await page.getByLabel('Grund des Widerrufs').fill('Ausgestellt für die falsche Person');
    await expectAccessible(page);
    await press(page, page.getByRole('button', { name: 'Weiter zur Bestätigung' }));
    await expect.poll(() => mainText(page)).toContain('Schritt 2 von 2');
    expect(await mainText(page)).toContain('Grund: „Ausgestellt für die falsche Person“');
    await expectAccessible(page);
    await press(page, page.getByRole('button', { name: 'Widerruf bestätigen' }));
    await page.waitForURL(/erledigt=widerrufen/);
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('Das Zertifikat wurde widerrufen');
    expect(await mainText(page)).toContain('Ausgestellt für die falsche Person');
    await expectAccessible(page);

    const anonymous = await newContext(browser);
    const check = await anonymous.newPage();
    await check.goto(`/zertifikat-pruefen/${certificateId}`);
    await expect.poll(() => check.getByRole('heading', { level: 2 }).first().innerText()).toBe('Ergebnis: Widerrufen');
    // the reason stays internal
    expect(await mainText(check)).not.toContain('falsche Person');
    await expectAccessible(check);
    await anonymous.close();
    await context.close();
  });

  test('another district cannot see the certificate and a learner gets the German 403 page', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await login(page, 'admin@beispielhausen.example');
    expect((await page.goto(`/personal/zertifikate/${certificateId}`))?.status()).toBe(404);
    await context.close();
    const learnerContext = await newContext(browser);
    const learnerPage = await learnerContext.newPage();
    await login(learnerPage, LEARNER);
    expect((await learnerPage.goto('/personal/zertifikate'))?.status()).toBe(403);
    await learnerContext.close();
  });
});
