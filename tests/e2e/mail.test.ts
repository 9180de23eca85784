/**
 * E-mail flows in Chromium with axe on every page:
 * - on the demo server (no SMTP server: the outbox): "Passwort vergessen" with the same answer for any address, the
 *   admin reads the mail in the outbox and downloads it as .eml, the link sets a new password once; the admin previews
 *   and sends reminders, the learner sees them on /verlauf;
 * - on a second server with a real SMTP server on loopback (smtp-server + mailparser): reminders sent from the admin
 *   page arrive with recipient, German subject and text and the course link, once, also after a second click.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type RunningProcess, startKiko } from '../../bench/lib/server.ts';
import { openDb } from '../../db/client.ts';
import { createUser } from '../../src/lib/server/users/create-user.ts';
import { baseUrl, DEMO_PASSWORD, expectAccessible, launchBrowser, login } from '../setup/browser.ts';
import { startTestSmtp, type TestSmtp } from '../setup/smtp-server.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function pageAt(base: string, javaScriptEnabled = true): Promise<Page> {
  const context = await browser.newContext({ baseURL: base, locale: 'de-DE', acceptDownloads: true, javaScriptEnabled });
  const page = await context.newPage();
  // a step that cannot happen fails within seconds, naming the locator
  page.setDefaultTimeout(15_000);
  return page;
}

describe('password reset through the outbox (no SMTP server)', () => {
  const email = `erika.e2e-${randomUUID().slice(0, 6)}@musterstadt.example`;
  beforeAll(async () => {
    const { db, close } = await openDb({ url: inject('dbUrl') });
    try {
      await createUser(db, { tenant: 'musterstadt', email, name: 'Erika Vergesslich', roles: ['learner'], password: 'altes-passwort-1' });
    } finally {
      close();
    }
  });

  test('requests a link without JavaScript, reads it in the outbox, sets a new password once', { timeout: 120_000 }, async () => {
    // without JavaScript the form works the same (axe needs JavaScript, so it checks the page below)
    const noJs = await pageAt(baseUrl(), false);
    await noJs.goto('/passwort-vergessen');
    await noJs.getByLabel('E-Mail-Adresse').fill('auch-niemand@musterstadt.example');
    await noJs.getByRole('button', { name: 'Link anfordern' }).click();
    expect(await noJs.getByRole('status').innerText()).toContain('Wenn zu dieser Adresse ein KIKO-Konto');
    await noJs.context().close();

    const anon = await pageAt(baseUrl());
    await anon.goto('/anmelden');
    await anon.getByRole('link', { name: 'Passwort vergessen?' }).click();
    await expectAccessible(anon);
    await anon.getByLabel('E-Mail-Adresse').fill(email);
    await anon.getByRole('button', { name: 'Link anfordern' }).click();
    const answer = await anon.getByRole('status').innerText();
    expect(answer).toContain('Wenn zu dieser Adresse ein KIKO-Konto');
    await expectAccessible(anon);
    // an unknown address gets the very same answer
    await anon.goto('/passwort-vergessen');
    await anon.getByLabel('E-Mail-Adresse').fill('niemand-hier@musterstadt.example');
    await anon.getByRole('button', { name: 'Link anfordern' }).click();
    expect(await anon.getByRole('status').innerText()).toBe(answer);

    const admin = await pageAt(baseUrl());
    await login(admin, 'admin@musterstadt.example');
    await admin.goto('/verwaltung');
    await admin.getByRole('link', { name: 'Postausgang' }).click();
    await expect.poll(() => admin.locator('main').innerText()).toContain('Es ist kein SMTP-Server eingerichtet');
    await expectAccessible(admin);
    await admin.locator('tr', { hasText: email }).getByRole('link', { name: 'KIKO: Passwort zurücksetzen' }).first().click();
    expect(await admin.locator('main').innerText()).toContain('Guten Tag Erika Vergesslich');
    await expectAccessible(admin);
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByRole('link', { name: 'Als .eml-Datei herunterladen' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.eml$/);
    const eml = await simpleParser(readFileSync((await download.path()) as string));
    expect(eml.subject).toBe('KIKO: Passwort zurücksetzen');
    const link = /https?:\/\/\S+\/passwort-neu\?token=[a-z2-7.]+/.exec(eml.text ?? '')?.[0] ?? '';
    expect(link).not.toBe('');
    const path = new URL(link).pathname + new URL(link).search;

    await anon.goto(path);
    await expectAccessible(anon);
    await anon.getByLabel('Neues Passwort', { exact: true }).fill('neues-passwort-e2e');
    await anon.getByLabel('Neues Passwort wiederholen').fill('ein-anderes-passwort');
    await anon.getByRole('button', { name: 'Passwort speichern' }).click();
    expect(await anon.locator('.error-summary').innerText()).toContain('stimmen nicht überein');
    await expectAccessible(anon);
    await anon.getByLabel('Neues Passwort', { exact: true }).fill('neues-passwort-e2e');
    await anon.getByLabel('Neues Passwort wiederholen').fill('neues-passwort-e2e');
    await anon.getByRole('button', { name: 'Passwort speichern' }).click();
    expect(await anon.getByRole('status').innerText()).toContain('Ihr Passwort ist gespeichert');
    await expectAccessible(anon);
    // the link works once
    await anon.goto(path);
    expect(await anon.locator('main').innerText()).toContain('Dieser Link ist abgelaufen, wurde schon benutzt');

    const learner = await pageAt(baseUrl());
    await login(learner, email, 'neues-passwort-e2e');
    expect(new URL(learner.url()).pathname).toBe('/lernen');
    await anon.context().close();
    await admin.context().close();
    await learner.context().close();
  });
});

describe('reminders from the admin page', () => {
  test('previews and sends to the outbox; a learner sees the reminder on Mein Verlauf', async () => {
    const admin = await pageAt(baseUrl());
    await login(admin, 'admin@musterstadt.example');
    await admin.goto('/verwaltung/erinnerungen');
    await expectAccessible(admin);
    await admin.getByLabel('An wen?').selectOption('overdue');
    await admin.getByRole('button', { name: 'Vorschau anzeigen' }).click();
    await expect.poll(() => admin.locator('main').innerText()).toMatch(/\d+ von \d+ Personen mit Status „überfällig“ würden erinnert/);
    expect(await admin.locator('main').innerText()).toContain('So lautet die E-Mail');
    await expectAccessible(admin);
    await admin.getByRole('button', { name: /Erinnerungen senden/ }).click();
    await expect.poll(() => admin.locator('main').innerText()).toContain('Stand des Versands');
    expect(await admin.locator('main').innerText()).toMatch(/im Postausgang abgelegt/);
    await expectAccessible(admin);
    // unknown status in the address: a visible note, never a 500
    const res = await admin.goto('/verwaltung/erinnerungen/senden?status=vergessen&vorlage=gibt-es-nicht');
    expect(res?.status()).toBe(200);
    expect(await admin.locator('main').innerText()).toContain('Den gewählten Status gibt es nicht');

    const learner = await pageAt(baseUrl());
    await login(learner, 'lena.lernende@musterstadt.example', DEMO_PASSWORD);
    await learner.goto('/verlauf');
    await expect.poll(() => learner.locator('main').innerText()).toContain('Erinnerungen, die Sie erhalten haben');
    await expectAccessible(learner);
    await admin.context().close();
    await learner.context().close();
  });
});

describe('reminders to a real SMTP server', () => {
  let smtp: TestSmtp;
  let t: TestDb;
  let server: RunningProcess | undefined;
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
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
    t?.cleanup();
  });

  test('the mails arrive once, with recipient, German subject and text and the course link', async () => {
    const base = server?.url as string;
    const admin = await pageAt(base);
    await login(admin, 'admin@musterstadt.example');
    await admin.goto('/verwaltung/erinnerungen/senden?status=overdue');
    const due = Number(/(\d+) Erinnerungen senden/.exec(await admin.getByRole('button', { name: /Erinnerungen senden/ }).innerText())?.[1]);
    expect(due).toBeGreaterThan(0);
    // a double click: the second post carries the same key
    await admin.getByRole('button', { name: /Erinnerungen senden/ }).dblclick();
    await expect.poll(() => admin.locator('main').innerText()).toContain('Stand des Versands');
    await smtp.waitFor(due, 30_000);
    await expect
      .poll(() => admin.reload().then(() => admin.locator('main').innerText()), { timeout: 30_000 })
      .toContain(`${due} versendet`);
    await expectAccessible(admin);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(smtp.received).toHaveLength(due);
    const toLena = smtp.received.find((_, i) => smtp.envelopes[i]?.includes('lena.lernende@musterstadt.example'));
    expect(toLena?.subject).toMatch(/^Erinnerung: .+ in KIKO$/);
    expect(toLena?.text).toContain('Guten Tag Lena Lernende');
    expect(toLena?.text).toMatch(new RegExp(`${base.replace(/[.:/]/g, '\\$&')}/kurse/[a-z0-9-]+`));
    expect(toLena?.from?.text).toContain('kiko@musterstadt.example');
    await admin.context().close();
  });
});
