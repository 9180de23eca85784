import type { Browser, BrowserContext, Page } from 'playwright-core';
import { beforeEach, describe, expect, inject, test } from 'vitest';
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

describe('login', () => {
  const roles: Array<[string, string, string]> = [
    ['lena.lernende@musterstadt.example', '/lernen', 'Mein Lernpfad'],
    ['max.multiplikator@musterstadt.example', '/multiplikator', 'KI-Multiplikator:innen'],
    ['paula.personal@musterstadt.example', '/personal', 'Personal'],
    ['admin@musterstadt.example', '/verwaltung', 'Verwaltung'],
    ['betrieb@kiko.example', '/betrieb', 'Betrieb'],
  ];
  test.each(roles)('lands %s on the start page of the role', async (email, path, heading) => {
    await login(page, email);
    expect(new URL(page.url()).pathname).toBe(path);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain(heading);
    await expectAccessible(page);
  });

  test('shows one message for a wrong password and keeps the user logged out', async () => {
    await page.goto('/anmelden');
    await expectAccessible(page);
    await login(page, 'lena.lernende@musterstadt.example', 'falsches-passwort');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('E-Mail-Adresse oder Passwort ist nicht korrekt.');
    await expectAccessible(page);
    await page.goto('/lernen');
    expect(new URL(page.url()).pathname).toBe('/anmelden');
  });

  test('logs out with the header button and ends the session', async () => {
    await login(page, 'lena.lernende@musterstadt.example');
    const cookie = (await context.cookies()).find((c) => c.name === 'kiko_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    await page.getByRole('button', { name: 'Abmelden' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/abgemeldet/);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('abgemeldet');
    // the old token no longer works even if replayed
    const replay = await newContext(browser);
    await replay.addCookies([{ ...(cookie as NonNullable<typeof cookie>) }]);
    const p2 = await replay.newPage();
    await p2.goto('/lernen');
    expect(new URL(p2.url()).pathname).toBe('/anmelden');
    await replay.close();
  });

  test('treats a malformed session cookie as anonymous and clears it', async () => {
    await context.addCookies(
      [{ name: 'kiko_session', value: 'manipuliert.wert', url: page.context().pages()[0]?.url() || 'http://127.0.0.1' }].map((c) => ({
        ...c,
        url: undefined,
        domain: '127.0.0.1',
        path: '/',
      })),
    );
    await page.goto('/lernen');
    expect(new URL(page.url()).pathname).toBe('/anmelden');
  });
});

describe('authorization', () => {
  test('shows the 403 page when a learner opens an admin page', async () => {
    await login(page, 'lena.lernende@musterstadt.example');
    const res = await page.goto('/verwaltung');
    expect(res?.status()).toBe(403);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Kein Zugriff');
    await expectAccessible(page);
    expect((await page.goto('/betrieb'))?.status()).toBe(403);
  });

  test('shows the operator the tenants but not their learning pages', async () => {
    await login(page, 'betrieb@kiko.example');
    await expect.poll(() => page.locator('table').textContent()).toContain('Landkreis Beispielhausen');
    expect((await page.goto('/lernen'))?.status()).toBe(403);
    expect((await page.goto('/personal'))?.status()).toBe(403);
  });

  test('shows the German 404 page for unknown routes', async () => {
    const res = await page.goto('/gibt-es-nicht');
    expect(res?.status()).toBe(404);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Seite nicht gefunden');
    await expectAccessible(page);
  });
});

describe('request guards', () => {
  test('rejects a cross-site form post (CSRF) and an oversized body with readable errors', async () => {
    const base = inject('baseUrl');
    const csrf = await fetch(`${base}/anmelden?_action=login`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=lena.lernende%40musterstadt.example&password=kiko-demo',
      redirect: 'manual',
    });
    expect(csrf.status).toBe(403);
    expect(csrf.headers.get('set-cookie') ?? '').not.toContain('kiko_session');
    const big = await fetch(`${base}/anmelden?_action=login`, {
      method: 'POST',
      headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
      body: `email=${'a'.repeat(3 * 1024 * 1024)}`,
    });
    expect(big.status).toBe(413);
    expect(await big.text()).toContain('zu groß');
  });

  test('answers a malformed form post with a readable 400 page, not a stack trace', async () => {
    const base = inject('baseUrl');
    const res = await fetch(`${base}/anmelden?_action=login`, {
      method: 'POST',
      headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=&password=',
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Bitte geben Sie Ihre E-Mail-Adresse ein.');
    expect(html).not.toMatch(/at .*\.(js|ts):\d+/);
  });
});

describe('tenant separation', () => {
  test('shows a user of Beispielhausen nothing of Musterstadt', async () => {
    await login(page, 'admin@beispielhausen.example');
    const html = await page.content();
    expect(html).toContain('Landkreis Beispielhausen');
    expect(html).not.toContain('Musterstadt');
  });
});
