/**
 * Single sign-on in Chromium: the district admin sets up the provider on /verwaltung/anmeldung, a person signs in
 * with their work account through the in-process OpenID provider's login form (created just in time), logs out at
 * KIKO and the provider, an unreachable provider gets a German message while password login works, and switching
 * password login off refuses the password form with the hint. Axe runs on every KIKO page visited.
 * Runs its own KIKO server (built dist/) because the provider's address and client secret are needed at its start.
 */
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningProcess, startKiko } from '../../bench/lib/server.ts';
import { userTable } from '../../db/schema/index.ts';
import { secretEnvName } from '../../src/lib/server/sso/sso-settings.ts';
import { expectAccessible, launchBrowser } from '../setup/browser.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { startTestProvider, type TestProvider } from '../setup/oidc-provider.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const SECRET = 'e2e-client-secret-0123456789abcdef';
let t: TestDb;
let kiko: RunningProcess;
let idp: TestProvider;
let browser: Browser;
let slug = '';
let adminEmail = '';
let learnerEmail = '';

async function freshPage(): Promise<Page> {
  const context = await browser.newContext({ baseURL: kiko.url, locale: 'de-DE' });
  // the provider's development pages load a web font; there is no internet here
  await context.route(/fonts\.googleapis\.com/, (route) => route.abort());
  return context.newPage();
}

async function passwordLogin(page: Page, email: string): Promise<void> {
  await page.goto('/anmelden');
  await page.getByLabel('E-Mail-Adresse').fill(email);
  await page.getByLabel('Passwort', { exact: true }).fill('richtiges-passwort');
  await page.getByLabel('Passwort', { exact: true }).press('Enter');
  await page.waitForLoadState('load');
}

beforeAll(async () => {
  t = await createTestDb();
  const tenant = await makeTenant(t.db);
  slug = tenant.slug;
  adminEmail = (await makeUser(t.db, { tenant: slug, roles: ['admin'], name: 'Ada Admin' })).email;
  learnerEmail = (await makeUser(t.db, { tenant: slug, name: 'Lutz Passwort' })).email;
  const root = process.cwd();
  kiko = await startKiko({ root, dbUrl: t.url, keyDir: join(t.dir, 'keys'), env: { [secretEnvName(slug)]: SECRET } });
  idp = await startTestProvider({
    redirectUris: [`${kiko.url}/anmelden/sso/${slug}/callback`],
    postLogoutRedirectUris: [`${kiko.url}/anmelden?abgemeldet`],
    clientSecret: SECRET,
  });
  idp.accounts.set('sub-erika', { email: 'erika.sso@landkreis.example', email_verified: true, name: 'Erika Dienstkonto', org_unit: 'B' });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await kiko?.stop();
  await idp?.close();
  t?.cleanup();
});

describe('single sign-on in the browser', () => {
  test('the district admin sets up the provider on the admin page', async () => {
    const page = await freshPage();
    await passwordLogin(page, adminEmail);
    await page.goto('/verwaltung/anmeldung');
    await expectAccessible(page);
    await expect.poll(() => page.locator('main').innerText()).toContain(secretEnvName(slug));
    expect(await page.content()).not.toContain(SECRET);
    await page.getByLabel('Adresse des Anmeldedienstes (Issuer)').fill('ftp://falsch');
    await page.getByLabel('Client-ID von KIKO beim Anmeldedienst').fill(idp.clientId);
    await page.getByRole('button', { name: 'Speichern' }).click();
    await page.waitForLoadState('load');
    expect(await page.title()).toMatch(/^Fehler: /);
    await expectAccessible(page);
    await page.getByLabel('Adresse des Anmeldedienstes (Issuer)').fill(idp.issuer);
    await page.getByLabel('Organisationseinheit (Kürzel oder Name)').fill('org_unit');
    await page.getByRole('button', { name: 'Speichern' }).click();
    await page.waitForLoadState('load');
    await expect.poll(() => page.locator('[role=status]').innerText()).toContain('gespeichert');
    await expectAccessible(page);
    await page.context().close();
  });

  test('a person signs in with the work account (created just in time) and logs out at KIKO and the provider', async () => {
    const page = await freshPage();
    await page.goto(`/anmelden?landkreis=${slug}`);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Mit dem Dienstkonto anmelden' }).click();
    await page.waitForURL(new RegExp(`^${idp.issuer}/interaction/`));
    await page.locator('input[name=login]').fill('sub-erika');
    await page.locator('input[name=password]').fill('egal');
    await page.locator('input[name=password]').press('Enter');
    await page.waitForURL(`${kiko.url}/lernen`);
    await expect.poll(() => page.locator('body').innerText()).toContain('Erika Dienstkonto');
    await expectAccessible(page);
    const [created] = await t.db.select().from(userTable).where(eq(userTable.email, 'erika.sso@landkreis.example'));
    expect(created?.name).toBe('Erika Dienstkonto');

    await page.goto('/abmelden');
    await page.locator('main').getByRole('button', { name: 'Abmelden' }).click();
    await page.waitForURL(new RegExp(`^${idp.issuer}/`));
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${kiko.url}/anmelden?abgemeldet`);
    await expect.poll(() => page.locator('[role=status]').innerText()).toContain('abgemeldet');
    await expectAccessible(page);
    // the KIKO session is gone
    await page.goto('/lernen');
    expect(new URL(page.url()).pathname).toBe('/anmelden');
    await page.context().close();
  });

  test('an unreachable provider: a German message on the login page, and password login still works', async () => {
    await idp.close();
    const page = await freshPage();
    await page.goto(`/anmelden?landkreis=${slug}`);
    await page.getByRole('link', { name: 'Mit dem Dienstkonto anmelden' }).click();
    await page.waitForURL(/sso-fehler=unavailable/);
    await expect.poll(() => page.locator('main').innerText()).toContain('gerade nicht erreichbar');
    expect(await page.title()).toMatch(/^Fehler: /);
    await expectAccessible(page);
    await passwordLogin(page, learnerEmail);
    await page.waitForURL(`${kiko.url}/lernen`);
    await page.context().close();
  });

  test('password login switched off: the password form refuses with the hint to use the work account', async () => {
    const admin = await freshPage();
    await passwordLogin(admin, adminEmail);
    await admin.goto('/verwaltung/anmeldung');
    await admin.getByLabel('Anmeldung mit Passwort weiter erlauben').uncheck();
    await admin.getByRole('button', { name: 'Speichern' }).click();
    await admin.waitForLoadState('load');
    await expect.poll(() => admin.locator('[role=status]').innerText()).toContain('gespeichert');
    await admin.context().close();

    const page = await freshPage();
    await passwordLogin(page, learnerEmail);
    expect(new URL(page.url()).pathname).toBe('/anmelden');
    await expect.poll(() => page.locator('main').innerText()).toContain('Mit dem Dienstkonto anmelden');
    expect(await page.title()).toMatch(/^Fehler: /);
    await expectAccessible(page);
    await page.goto(`/anmelden?landkreis=${slug}`);
    await expect.poll(() => page.locator('main').innerText()).toContain('Die Anmeldung mit Passwort ist dort ausgeschaltet');
    await page.context().close();
  });
});
