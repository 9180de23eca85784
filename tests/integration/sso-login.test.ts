/**
 * Single sign-on against a real OpenID provider (oidc-provider, in-process on 127.0.0.1): KIKO's login verbs talk
 * real HTTP to it (discovery, token endpoint, JWKS, UserInfo, end-session) and the test plays the browser.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  auditEventTable,
  learningEventTable,
  ssoLoginStateTable,
  tenantTable,
  userIdentityTable,
  userTable,
} from '../../db/schema/index.ts';
import { translator } from '../../src/i18n/index.ts';
import { loginWithPassword } from '../../src/lib/server/auth/login.ts';
import { createSession } from '../../src/lib/server/auth/sessions.ts';
import { NotFoundError, RateLimitedError } from '../../src/lib/server/errors/domain-errors.ts';
import { finishSsoLogin } from '../../src/lib/server/sso/finish-sso-login.ts';
import { forgetOidcConfigurations, SsoUnavailableError } from '../../src/lib/server/sso/oidc-config.ts';
import { getSsoLogoutUrl } from '../../src/lib/server/sso/sso-logout-url.ts';
import { type SsoSettings, secretEnvName, ssoSettingsSchema } from '../../src/lib/server/sso/sso-settings.ts';
import { SSO_START_LIMIT } from '../../src/lib/server/sso/sso-start-limit.ts';
import { startSsoLogin } from '../../src/lib/server/sso/start-sso-login.ts';
import { readTenantSettings } from '../../src/lib/server/tenancy/tenant-settings.ts';
import { createUser } from '../../src/lib/server/users/create-user.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { CookieBrowser, startTestProvider, type TestProvider } from '../setup/oidc-provider.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const KIKO = 'https://kiko.landkreis.example';
const content = fixtureContent();
let t: TestDb;
let idp: TestProvider;
/** Binds existing people by verified e-mail (the default). */
let home: Awaited<ReturnType<typeof makeTenant>>;
/** Binds existing people by personnel number. */
let pn: Awaited<ReturnType<typeof makeTenant>>;
/** Another district at the same provider (an IT service provider serving several districts). */
let other: Awaited<ReturnType<typeof makeTenant>>;

const callbackOf = (slug: string): string => `${KIKO}/anmelden/sso/${slug}/callback`;

async function configure(slug: string, extra: Partial<SsoSettings> = {}): Promise<void> {
  const row = await t.db.query.tenantTable.findFirst({ where: eq(tenantTable.slug, slug) });
  const sso = ssoSettingsSchema.parse({
    issuer: idp.issuer,
    clientId: idp.clientId,
    claims: { email: 'email', name: 'name', orgUnit: 'org_unit', jobRole: 'job_role', personnelNumber: 'personnel_number' },
    jobRoleMap: { SB: 'sachbearbeitung', FK: 'fuehrungskraft' },
    defaultOrgUnitCode: 'A',
    ...extra,
  });
  await t.db
    .update(tenantTable)
    .set({ settings: { ...readTenantSettings(row?.settings), sso } })
    .where(eq(tenantTable.slug, slug));
  process.env[secretEnvName(slug)] = idp.clientSecret;
  forgetOidcConfigurations();
}

/** A whole login as a browser does it: KIKO → provider login form → KIKO callback. */
async function login(slug: string, sub: string, browser = new CookieBrowser()) {
  const started = await startSsoLogin(t.db, { slug, redirectUri: callbackOf(slug), returnTo: '/lernen' });
  const callback = await browser.loginAtProvider(started.url, sub, callbackOf(slug));
  const result = await finishSsoLogin(t.db, { slug, callbackUrl: callback, browserSecret: started.browserSecret, content });
  return { started, callback, result, browser };
}

const userByEmail = async (email: string) => (await t.db.select().from(userTable).where(eq(userTable.email, email)))[0];
const auditTypes = async (tenantId: string) =>
  (await t.db.select({ type: auditEventTable.type }).from(auditEventTable).where(eq(auditEventTable.tenantId, tenantId))).map(
    (r) => r.type,
  );

beforeAll(async () => {
  t = await createTestDb();
  home = await makeTenant(t.db);
  pn = await makeTenant(t.db);
  other = await makeTenant(t.db);
  idp = await startTestProvider({
    redirectUris: [home, pn, other].map((d) => callbackOf(d.slug)),
    postLogoutRedirectUris: [`${KIKO}/anmelden?abgemeldet`],
  });
  await configure(home.slug);
  await configure(pn.slug, { bindBy: 'personnel-number' });
  await configure(other.slug);
});
afterAll(async () => {
  await idp?.close();
  t?.cleanup();
});
beforeEach(() => {
  idp.tamper = null;
});

describe('finishSsoLogin: finding, binding and creating people', () => {
  test('creates a person just in time on the first login, with membership facts, and finds them by subject later', async () => {
    idp.accounts.set('sub-anna', {
      email: 'Anna.Neu@Landkreis.example',
      email_verified: true,
      name: 'Anna Neu',
      org_unit: 'B',
      job_role: 'FK',
    });
    const first = await login(home.slug, 'sub-anna');
    expect(first.result).toMatchObject({ ok: true, returnTo: '/lernen' });
    const user = await userByEmail('anna.neu@landkreis.example');
    expect(user).toMatchObject({ name: 'Anna Neu', jobRole: 'fuehrungskraft', orgUnitId: home.orgUnitIds.get('B'), passwordHash: null });
    const facts = await t.db
      .select()
      .from(learningEventTable)
      .where(eq(learningEventTable.userId, user?.id ?? ''));
    expect(facts.find((f) => f.type === 'membership.changed')?.data).toMatchObject({
      orgUnitId: home.orgUnitIds.get('B'),
      jobRole: 'fuehrungskraft',
    });
    expect(await auditTypes(home.id)).toEqual(expect.arrayContaining(['user.created', 'sso.identity-created', 'user.login']));

    const second = await login(home.slug, 'sub-anna');
    expect(second.result.ok && second.result.user.id).toBe(user?.id);
    expect(
      await t.db
        .select()
        .from(userIdentityTable)
        .where(eq(userIdentityTable.userId, user?.id ?? '')),
    ).toHaveLength(1);
    expect((await t.db.select().from(userTable).where(eq(userTable.email, 'anna.neu@landkreis.example'))).length).toBe(1);
  });

  test('follows org unit and job role from the claims on a later login, as a membership change', async () => {
    idp.accounts.set('sub-bernd', {
      email: 'bernd@landkreis.example',
      email_verified: true,
      name: 'Bernd Wechsel',
      org_unit: 'A',
      job_role: 'SB',
    });
    expect((await login(home.slug, 'sub-bernd')).result.ok).toBe(true);
    idp.accounts.set('sub-bernd', {
      email: 'bernd@landkreis.example',
      email_verified: true,
      name: 'Bernd Wechsel',
      org_unit: 'B',
      job_role: 'FK',
    });
    expect((await login(home.slug, 'sub-bernd')).result.ok).toBe(true);
    const user = await userByEmail('bernd@landkreis.example');
    expect(user).toMatchObject({ orgUnitId: home.orgUnitIds.get('B'), jobRole: 'fuehrungskraft' });
    const moves = await t.db
      .select()
      .from(learningEventTable)
      .where(and(eq(learningEventTable.userId, user?.id ?? ''), eq(learningEventTable.type, 'membership.changed')));
    expect(moves).toHaveLength(2);
    // an unknown org unit or job role value falls back to the district defaults (org unit A, Sachbearbeitung)
    idp.accounts.set('sub-bernd', {
      email: 'bernd@landkreis.example',
      email_verified: true,
      name: 'Bernd Wechsel',
      org_unit: 'XYZ',
      job_role: '??',
    });
    expect((await login(home.slug, 'sub-bernd')).result.ok).toBe(true);
    expect(await userByEmail('bernd@landkreis.example')).toMatchObject({ orgUnitId: home.orgUnitIds.get('A'), jobRole: 'sachbearbeitung' });
  });

  test('binds an imported person once by personnel number and never duplicates them', async () => {
    const { id } = await createUser(t.db, {
      tenant: pn.slug,
      email: 'carla.import@landkreis.example',
      name: 'Carla Import',
      externalId: 'P-100',
    });
    idp.accounts.set('sub-carla', {
      email: 'c.import@idp.example',
      email_verified: false,
      name: 'Carla Import',
      personnel_number: 'P-100',
    });
    const first = await login(pn.slug, 'sub-carla');
    expect(first.result.ok && first.result.user.id).toBe(id);
    expect(await auditTypes(pn.id)).toContain('sso.identity-bound');
    expect(await userByEmail('c.import@idp.example')).toBeUndefined();
    const second = await login(pn.slug, 'sub-carla');
    expect(second.result.ok && second.result.user.id).toBe(id);
  });

  test('binds an existing person by an e-mail address the provider marks verified', async () => {
    const existing = await makeUser(t.db, { tenant: home.slug });
    idp.accounts.set('sub-dora', { email: existing.email.toUpperCase(), email_verified: true, name: 'Dora Verifiziert' });
    const { result } = await login(home.slug, 'sub-dora');
    expect(result.ok && result.user.id).toBe(existing.id);
  });

  test('never binds by an unverified e-mail address, and does not create a duplicate either', async () => {
    const existing = await makeUser(t.db, { tenant: home.slug });
    idp.accounts.set('sub-mallory', { email: existing.email, email_verified: false, name: 'Mallory Übernahme' });
    const { result } = await login(home.slug, 'sub-mallory');
    expect(result).toEqual({ ok: false, reason: 'no-match' });
    expect(await t.db.select().from(userIdentityTable).where(eq(userIdentityTable.userId, existing.id))).toEqual([]);
    expect((await t.db.select().from(userTable).where(eq(userTable.email, existing.email))).length).toBe(1);
  });
});

describe('finishSsoLogin: refused answers', () => {
  const signIn = (sub: string) => idp.accounts.set(sub, { email: `${sub}@landkreis.example`, email_verified: true, name: `Person ${sub}` });

  test.each([
    ['a wrong issuer', (c: Record<string, unknown>) => ({ ...c, iss: 'https://boese.example' })],
    ['a wrong audience', (c: Record<string, unknown>) => ({ ...c, aud: 'another-client' })],
    [
      'an expired id_token',
      (c: Record<string, unknown>) => ({ ...c, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }),
    ],
    ['a nonce mismatch', (c: Record<string, unknown>) => ({ ...c, nonce: 'ein-anderer-nonce' })],
  ])('refuses an id_token with %s (validly signed) and creates nobody', async (_label, tamper) => {
    const sub = `sub-tamper-${Math.random().toString(36).slice(2, 8)}`;
    signIn(sub);
    idp.tamper = tamper;
    const { result } = await login(home.slug, sub);
    expect(result).toEqual({ ok: false, reason: 'refused' });
    expect(await userByEmail(`${sub}@landkreis.example`)).toBeUndefined();
  });

  test('does not use a provider whose discovery document names another issuer', async () => {
    // a server that passes on the real provider's discovery document under its own address
    const impostor = createServer((_req, res) => {
      void fetch(`${idp.issuer}/.well-known/openid-configuration`)
        .then((r) => r.text())
        .then((body) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    try {
      await configure(other.slug, { issuer: `http://127.0.0.1:${(impostor.address() as AddressInfo).port}` });
      const refused = await startSsoLogin(t.db, { slug: other.slug, redirectUri: callbackOf(other.slug), returnTo: null }).catch((e) => e);
      expect(refused).toBeInstanceOf(SsoUnavailableError);
      expect(refused.cause?.code).toBe('OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED');
    } finally {
      impostor.close();
      await configure(other.slug);
    }
  });

  test('refuses a replayed callback (state already used) and a replayed code with a fresh state', async () => {
    signIn('sub-replay');
    const first = await login(home.slug, 'sub-replay');
    expect(first.result.ok).toBe(true);
    const again = await finishSsoLogin(t.db, {
      slug: home.slug,
      callbackUrl: first.callback,
      browserSecret: first.started.browserSecret,
      content,
    });
    expect(again).toEqual({ ok: false, reason: 'expired' });
    // the attacker starts a login of their own and pastes the used code into its callback
    const fresh = await startSsoLogin(t.db, { slug: home.slug, redirectUri: callbackOf(home.slug), returnTo: null });
    const forged = new URL(first.callback);
    forged.searchParams.set('state', new URL(fresh.url).searchParams.get('state') ?? '');
    const replay = await finishSsoLogin(t.db, { slug: home.slug, callbackUrl: forged, browserSecret: fresh.browserSecret, content });
    expect(replay).toEqual({ ok: false, reason: 'refused' });
  });

  test('refuses a state that does not belong to this browser (state mismatch, login CSRF)', async () => {
    signIn('sub-csrf');
    const victim = await startSsoLogin(t.db, { slug: home.slug, redirectUri: callbackOf(home.slug), returnTo: null });
    const attacker = await startSsoLogin(t.db, { slug: home.slug, redirectUri: callbackOf(home.slug), returnTo: null });
    const attackerCallback = await new CookieBrowser().loginAtProvider(attacker.url, 'sub-csrf', callbackOf(home.slug));
    // the victim's browser is made to open the attacker's callback: its cookie does not match that state
    const result = await finishSsoLogin(t.db, {
      slug: home.slug,
      callbackUrl: attackerCallback,
      browserSecret: victim.browserSecret,
      content,
    });
    expect(result).toEqual({ ok: false, reason: 'expired' });
    // an invented state finds nothing
    const invented = new URL(attackerCallback);
    invented.searchParams.set('state', 'erfunden');
    expect(await finishSsoLogin(t.db, { slug: home.slug, callbackUrl: invented, browserSecret: victim.browserSecret, content })).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  test('sends PKCE with S256 and refuses a code redeemed with a wrong verifier', async () => {
    signIn('sub-pkce');
    const started = await startSsoLogin(t.db, { slug: home.slug, redirectUri: callbackOf(home.slug), returnTo: null });
    expect(started.url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(started.url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const state = started.url.searchParams.get('state') ?? '';
    const [row] = await t.db.select().from(ssoLoginStateTable).where(eq(ssoLoginStateTable.state, state));
    expect(row?.codeVerifier).not.toBe(started.url.searchParams.get('code_challenge'));
    const callback = await new CookieBrowser().loginAtProvider(started.url, 'sub-pkce', callbackOf(home.slug));
    await t.db
      .update(ssoLoginStateTable)
      .set({ codeVerifier: 'x'.repeat(43) })
      .where(eq(ssoLoginStateTable.state, state));
    expect(await finishSsoLogin(t.db, { slug: home.slug, callbackUrl: callback, browserSecret: started.browserSecret, content })).toEqual({
      ok: false,
      reason: 'refused',
    });
  });

  test('an authorization request without PKCE is refused by the provider, and KIKO signs nobody in', async () => {
    signIn('sub-nopkce');
    const started = await startSsoLogin(t.db, { slug: home.slug, redirectUri: callbackOf(home.slug), returnTo: null });
    const stripped = new URL(started.url);
    stripped.searchParams.delete('code_challenge');
    stripped.searchParams.delete('code_challenge_method');
    const callback = await new CookieBrowser().loginAtProvider(stripped, 'sub-nopkce', callbackOf(home.slug));
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    const result = await finishSsoLogin(t.db, { slug: home.slug, callbackUrl: callback, browserSecret: started.browserSecret, content });
    expect(result.ok).toBe(false);
  });

  test('limits login starts per source address, so nobody fills the pending-login table', async () => {
    const start = () => startSsoLogin(t.db, { slug: home.slug, redirectUri: callbackOf(home.slug), returnTo: null, ip: '198.51.100.7' });
    for (let i = 0; i < SSO_START_LIMIT.points; i++) await start();
    await expect(start()).rejects.toBeInstanceOf(RateLimitedError);
    // another address is not affected
    await startSsoLogin(t.db, { slug: home.slug, redirectUri: callbackOf(home.slug), returnTo: null, ip: '198.51.100.8' });
  });

  test('an unknown district, or one without single sign-on, is not found', async () => {
    const plain = await makeTenant(t.db);
    for (const slug of ['gibt-es-nicht', plain.slug]) {
      await expect(startSsoLogin(t.db, { slug, redirectUri: callbackOf(slug), returnTo: null })).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        finishSsoLogin(t.db, { slug, callbackUrl: new URL(`${callbackOf(slug)}?code=x&state=y`), browserSecret: 'z', content }),
      ).rejects.toBeInstanceOf(NotFoundError);
    }
  });

  test('refuses a subject bound in one district at another district, and a verified e-mail of another district', async () => {
    signIn('sub-wanderer');
    expect((await login(home.slug, 'sub-wanderer')).result.ok).toBe(true);
    expect((await login(other.slug, 'sub-wanderer')).result).toEqual({ ok: false, reason: 'other-district' });
    const elsewhere = await makeUser(t.db, { tenant: home.slug });
    idp.accounts.set('sub-neu-woanders', { email: elsewhere.email, email_verified: true, name: 'Neu Woanders' });
    expect((await login(other.slug, 'sub-neu-woanders')).result).toEqual({ ok: false, reason: 'other-district' });
    expect(await t.db.select().from(userIdentityTable).where(eq(userIdentityTable.userId, elsewhere.id))).toEqual([]);
    expect(await auditTypes(other.id)).toContain('sso.login-refused');
  });

  test('refuses a deactivated person and a suspended district', async () => {
    signIn('sub-inaktiv');
    expect((await login(home.slug, 'sub-inaktiv')).result.ok).toBe(true);
    await t.db.update(userTable).set({ status: 'disabled' }).where(eq(userTable.email, 'sub-inaktiv@landkreis.example'));
    expect((await login(home.slug, 'sub-inaktiv')).result).toEqual({ ok: false, reason: 'disabled' });

    signIn('sub-gesperrt');
    const started = await startSsoLogin(t.db, { slug: pn.slug, redirectUri: callbackOf(pn.slug), returnTo: null });
    const callback = await new CookieBrowser().loginAtProvider(started.url, 'sub-gesperrt', callbackOf(pn.slug));
    await t.db.update(tenantTable).set({ status: 'suspended' }).where(eq(tenantTable.id, pn.id));
    try {
      expect(await finishSsoLogin(t.db, { slug: pn.slug, callbackUrl: callback, browserSecret: started.browserSecret, content })).toEqual({
        ok: false,
        reason: 'disabled',
      });
      await expect(startSsoLogin(t.db, { slug: pn.slug, redirectUri: callbackOf(pn.slug), returnTo: null })).rejects.toBeInstanceOf(
        NotFoundError,
      );
    } finally {
      await t.db.update(tenantTable).set({ status: 'active' }).where(eq(tenantTable.id, pn.id));
    }
  });

  test('an unreachable provider is reported as such, quickly, also right after it worked', async () => {
    const down = await startTestProvider({ redirectUris: [callbackOf(other.slug)] });
    await configure(other.slug, { issuer: down.issuer });
    await startSsoLogin(t.db, { slug: other.slug, redirectUri: callbackOf(other.slug), returnTo: null });
    await down.close();
    const began = Date.now();
    await expect(startSsoLogin(t.db, { slug: other.slug, redirectUri: callbackOf(other.slug), returnTo: null })).rejects.toBeInstanceOf(
      SsoUnavailableError,
    );
    expect(Date.now() - began).toBeLessThan(6000);
    await configure(other.slug);
  });
});

describe('password login and logout with single sign-on', () => {
  const deviceSecret = new Uint8Array(32).fill(7);

  test('password login switched off: the district’s people are refused like unknown accounts, with the German hint', async () => {
    const person = await makeUser(t.db, { tenant: other.slug });
    const input = { password: 'richtiges-passwort', ip: '192.0.2.10', deviceSecret };
    expect((await loginWithPassword(t.db, { ...input, email: person.email })).ok).toBe(true);
    await configure(other.slug, { passwordLogin: false });
    expect(await loginWithPassword(t.db, { ...input, email: person.email })).toEqual({ ok: false, reason: 'invalid' });
    expect(await loginWithPassword(t.db, { ...input, email: 'niemand@landkreis.example' })).toEqual({ ok: false, reason: 'invalid' });
    expect(translator('de')('login.invalidSso')).toContain('Mit dem Dienstkonto anmelden');
    // people of districts that keep password login are not affected
    const elsewhere = await makeUser(t.db, { tenant: home.slug });
    expect((await loginWithPassword(t.db, { ...input, email: elsewhere.email })).ok).toBe(true);
    await configure(other.slug);
  });

  test('logout of an SSO session goes to the provider’s end-session endpoint; a password session does not', async () => {
    signInAccount('sub-logout');
    const { result } = await login(home.slug, 'sub-logout');
    if (!result.ok) throw new Error('login failed');
    const [sessionId] = result.token.split('.');
    const url = await getSsoLogoutUrl(t.db, sessionId ?? '', `${KIKO}/anmelden?abgemeldet`);
    expect(url?.origin).toBe(idp.issuer);
    expect(url?.searchParams.get('post_logout_redirect_uri')).toBe(`${KIKO}/anmelden?abgemeldet`);
    expect(url?.searchParams.get('client_id')).toBe(idp.clientId);
    // the provider accepts it and shows its logout confirmation
    const res = await fetch(url as URL, { redirect: 'manual' });
    expect(res.status).toBe(200);
    const password = await createSession(t.db, result.user.id);
    expect(await getSsoLogoutUrl(t.db, password.session.id, `${KIKO}/anmelden?abgemeldet`)).toBeNull();
  });
});

function signInAccount(sub: string): void {
  idp.accounts.set(sub, { email: `${sub}@landkreis.example`, email_verified: true, name: `Person ${sub}` });
}
