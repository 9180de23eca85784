/**
 * The district's single sign-on settings: only the district's own (unscoped) admin changes them, from the admin page's
 * verb or the CLI; the client secret never appears in what KIKO shows or prints.
 */
import { spawnSync } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditEventTable, tenantTable, userRoleTable } from '../../db/schema/index.ts';
import { personContext } from '../../src/lib/server/context.ts';
import { ForbiddenError, ValidationError } from '../../src/lib/server/errors/domain-errors.ts';
import { getSsoSettings } from '../../src/lib/server/sso/get-sso-settings.ts';
import { isPasswordLoginAllowed } from '../../src/lib/server/sso/password-login-policy.ts';
import { parseJobRoleMap, secretEnvName } from '../../src/lib/server/sso/sso-settings.ts';
import { type SsoSettingsInput, updateSsoSettings } from '../../src/lib/server/sso/update-sso-settings.ts';
import { readTenantSettings } from '../../src/lib/server/tenancy/tenant-settings.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
const SECRET = 'streng-geheim-0123456789';
let t: TestDb;
let home: Awaited<ReturnType<typeof makeTenant>>;
let other: Awaited<ReturnType<typeof makeTenant>>;
let admin: AuthUser;
let otherAdmin: AuthUser;

const valid: SsoSettingsInput = { issuer: 'https://sso.landkreis.example/realms/kiko', clientId: 'kiko', passwordLogin: false };
const ssoOf = async (tenantId: string) => {
  const [row] = await t.db.select().from(tenantTable).where(eq(tenantTable.id, tenantId));
  return readTenantSettings(row?.settings).sso;
};

beforeAll(async () => {
  t = await createTestDb();
  home = await makeTenant(t.db);
  other = await makeTenant(t.db);
  admin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
  otherAdmin = await makeUser(t.db, { tenant: other.slug, roles: ['admin'] });
  process.env[secretEnvName(home.slug)] = SECRET;
});
afterAll(() => {
  delete process.env[secretEnvName(home.slug)];
  t?.cleanup();
});

describe('updateSsoSettings', () => {
  test('stores the district admin’s settings with an audit entry; password login can then be off', async () => {
    const saved = await updateSsoSettings(personContext(t.db, admin, content), valid);
    expect(saved).toMatchObject({ enabled: true, issuer: valid.issuer, bindBy: 'verified-email', passwordLogin: false });
    expect(await ssoOf(home.id)).toEqual(saved);
    expect(await isPasswordLoginAllowed(t.db, home.id)).toBe(false);
    expect(await isPasswordLoginAllowed(t.db, other.id)).toBe(true);
    const audit = await t.db.select().from(auditEventTable).where(eq(auditEventTable.tenantId, home.id));
    expect(audit.map((a) => a.type)).toContain('tenant.sso-settings-changed');
    expect(JSON.stringify(audit)).not.toContain(SECRET);
  });

  test('keeps other settings of the district (brand colour) untouched', async () => {
    await t.db
      .update(tenantTable)
      .set({ settings: { brandColor: '#123456' } })
      .where(eq(tenantTable.id, other.id));
    await updateSsoSettings(personContext(t.db, otherAdmin, content), { ...valid, passwordLogin: true });
    const [row] = await t.db.select().from(tenantTable).where(eq(tenantTable.id, other.id));
    expect(readTenantSettings(row?.settings).brandColor).toBe('#123456');
  });

  test('an admin of another district changes only their own district', async () => {
    const before = await ssoOf(home.id);
    await updateSsoSettings(personContext(t.db, otherAdmin, content), { ...valid, clientId: 'fremd' });
    expect(await ssoOf(home.id)).toEqual(before);
    expect((await ssoOf(other.id))?.clientId).toBe('fremd');
  });

  test.each(['learner', 'multiplier', 'hr', 'staff-council'] as const)('refuses the role %s', async (role) => {
    const person = await makeUser(t.db, { tenant: home.slug, roles: [role] });
    await expect(updateSsoSettings(personContext(t.db, person, content), valid)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(getSsoSettings(personContext(t.db, person, content))).rejects.toBeInstanceOf(ForbiddenError);
  });

  test('refuses an admin limited to an org subtree, and the platform operator', async () => {
    const scoped = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
    await t.db
      .update(userRoleTable)
      .set({ scopeOrgUnitId: home.orgUnitIds.get('B') })
      .where(eq(userRoleTable.userId, scoped.id));
    await expect(updateSsoSettings(personContext(t.db, scoped, content), valid)).rejects.toBeInstanceOf(ForbiddenError);
    const operator = await makeUser(t.db, { roles: ['operator'] });
    await expect(updateSsoSettings(personContext(t.db, operator, content), valid)).rejects.toBeInstanceOf(ForbiddenError);
  });

  test.each([
    ['a plain-http provider elsewhere than on this machine', { ...valid, issuer: 'http://sso.landkreis.example' }, 'issuer'],
    ['an issuer with parameters', { ...valid, issuer: 'https://sso.landkreis.example/?x=1' }, 'issuer'],
    ['both ways of signing in switched off', { ...valid, enabled: false, passwordLogin: false }, 'passwordLogin'],
    ['an org unit of another district', { ...valid, defaultOrgUnitCode: 'GIBT-ES-NICHT' }, 'defaultOrgUnitCode'],
    ['an unknown key', { ...valid, clientSecret: 'nicht-hier' } as SsoSettingsInput, ''],
  ])('refuses %s with a German message', async (_label, input, field) => {
    const error = await updateSsoSettings(personContext(t.db, admin, content), input).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/[a-zäöü]/);
    if (field) expect(Object.keys((error as ValidationError).fields)).toContain(field);
  });
});

describe('getSsoSettings', () => {
  test('says whether the secret is set and where, never its value', async () => {
    const view = await getSsoSettings(personContext(t.db, admin, content));
    expect(view).toMatchObject({
      secretSet: true,
      secretEnvName: secretEnvName(home.slug),
      callbackPath: `/anmelden/sso/${home.slug}/callback`,
    });
    expect(JSON.stringify(view)).not.toContain(SECRET);
    expect((await getSsoSettings(personContext(t.db, otherAdmin, content))).secretSet).toBe(false);
  });
});

describe('parseJobRoleMap', () => {
  test('reads "value = job role" lines and names the first bad line', () => {
    expect(parseJobRoleMap('SB = sachbearbeitung\n\n  FK=fuehrungskraft ')).toEqual({
      ok: true,
      map: { SB: 'sachbearbeitung', FK: 'fuehrungskraft' },
    });
    const bad = parseJobRoleMap('SB = sachbearbeitung\nChef = boss');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problem).toContain('Zeile 2');
  });
});

describe('kiko tenant sso', () => {
  const kiko = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['bin/kiko.mjs', ...args], {
      env: { ...process.env, DATABASE_URL: t.url, NODE_ENV: 'test', ...env },
      encoding: 'utf8',
    });

  test('sets the district’s provider as a named operator and names the secret variable without printing it', async () => {
    const slug = other.slug;
    const r = kiko(
      [
        'tenant',
        'sso',
        '--tenant',
        slug,
        '--issuer',
        'https://login.example/realms/lk',
        '--client-id',
        'kiko-lk',
        '--password-login',
        'off',
        '--bind-by',
        'personnel-number',
        '--claim-personnel-number',
        'employeeNumber',
        '--operator',
        'Olaf Betrieb',
      ],
      { [secretEnvName(slug)]: SECRET },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(secretEnvName(slug));
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(await ssoOf(other.id)).toMatchObject({
      issuer: 'https://login.example/realms/lk',
      clientId: 'kiko-lk',
      passwordLogin: false,
      bindBy: 'personnel-number',
      claims: { personnelNumber: 'employeeNumber' },
    });
  });

  test('refuses a wrong --password-login value and an unknown district', () => {
    expect(
      kiko(['tenant', 'sso', '--tenant', other.slug, '--issuer', 'https://x.example', '--client-id', 'k', '--password-login', 'vielleicht'])
        .status,
    ).toBe(2);
    const unknown = kiko(['tenant', 'sso', '--tenant', 'gibt-es-nicht', '--issuer', 'https://x.example', '--client-id', 'k']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('gibt-es-nicht');
  });
});
