/**
 * The operator console's verbs: creating a district with its first admin (invitation queued, all in one
 * transaction, audited), duplicate slugs and bad input refused in German with nothing written, the health figures
 * (counts only), suspension with a typed confirmation that ends sessions at once and refuses login, reactivation,
 * and every role but the operator refused.
 */
import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditEventTable, mailMessageTable, tenantTable, userRoleTable, userTable } from '../../db/schema/index.ts';
import { verifyAuditChain } from '../../src/lib/server/audit/verify-audit-chain.ts';
import { getSessionUser } from '../../src/lib/server/auth/get-session-user.ts';
import { loginWithPassword } from '../../src/lib/server/auth/login.ts';
import { createSession } from '../../src/lib/server/auth/sessions.ts';
import { type Ctx, personContext, systemContext } from '../../src/lib/server/context.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/lib/server/errors/domain-errors.ts';
import { recordBackup } from '../../src/lib/server/operations/backup-record.ts';
import { createDistrict, DistrictConflictError } from '../../src/lib/server/tenancy/create-district.ts';
import { getDistrictHealth, listDistricts } from '../../src/lib/server/tenancy/district-health.ts';
import { setDistrictStatus } from '../../src/lib/server/tenancy/set-district-status.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
const deviceSecret = randomBytes(32);
const policy = { idleMs: 60 * 60_000, absoluteMs: 24 * 60 * 60_000 };
const now = new Date('2026-11-20T10:00:00Z');
let t: TestDb;
let operator: AuthUser;
let home: Awaited<ReturnType<typeof makeTenant>>;
let homeAdmin: AuthUser;
let others: AuthUser[];
const as = (u: AuthUser): Ctx => personContext(t.db, u, content, () => now);
const form = (over: Record<string, string> = {}) => ({
  name: 'Landkreis Neustadt',
  slug: 'neustadt',
  brandColor: '#336699',
  logoText: 'LK Neustadt',
  verificationHolder: 'initials' as const,
  minGroupSize: '6',
  adminName: 'Nora Neu',
  adminEmail: 'nora.neu@neustadt.example',
  ...over,
});
const count = async (table: string): Promise<number> =>
  Number((await t.client.execute(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n ?? 0);

beforeAll(async () => {
  t = await createTestDb();
  operator = await makeUser(t.db, { roles: ['operator'], name: 'Otto Betrieb' });
  home = await makeTenant(t.db);
  homeAdmin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
  others = [
    homeAdmin,
    await makeUser(t.db, { tenant: home.slug, roles: ['hr'] }),
    await makeUser(t.db, { tenant: home.slug, roles: ['learner'] }),
    await makeUser(t.db, { tenant: home.slug, roles: ['staff-council'] }),
  ];
});
afterAll(() => t.cleanup());

describe('createDistrict', () => {
  test('creates the district, its first admin and the invitation in one go, audited', async () => {
    const { id, slug } = await createDistrict(as(operator), form());
    expect(slug).toBe('neustadt');
    const [tenant] = await t.db.select().from(tenantTable).where(eq(tenantTable.id, id));
    expect(tenant?.name).toBe('Landkreis Neustadt');
    expect(tenant?.status).toBe('active');
    expect(tenant?.settings).toMatchObject({ brandColor: '#336699', logoText: 'LK Neustadt', minGroupSize: 6 });
    const [admin] = await t.db.select().from(userTable).where(eq(userTable.tenantId, id));
    expect(admin?.email).toBe('nora.neu@neustadt.example');
    expect(admin?.passwordHash).toBeNull();
    const roles = await t.db
      .select()
      .from(userRoleTable)
      .where(eq(userRoleTable.userId, admin?.id ?? ''));
    expect(roles.map((r) => r.role).sort()).toEqual(['admin', 'learner']);
    const mails = await t.db.select().from(mailMessageTable).where(eq(mailMessageTable.tenantId, id));
    expect(mails.map((m) => [m.template, m.toAddress])).toEqual([['invitation', 'nora.neu@neustadt.example']]);
    expect(mails[0]?.bodyText).toMatch(/passwort-neu\?token=/);
    const events = await t.db.select().from(auditEventTable).where(eq(auditEventTable.chain, id)).orderBy(auditEventTable.seq);
    expect(events.map((e) => e.type)).toEqual(['tenant.created', 'user.created', 'user.invited']);
    expect((await verifyAuditChain(t.db, id)).ok).toBe(true);
  });

  test('a taken slug or e-mail address is refused with a German message for its field, and nothing is written', async () => {
    const before = [await count('tenants'), await count('users'), await count('mail_messages'), await count('audit_events')];
    const dup = await createDistrict(as(operator), form({ adminEmail: 'jemand@neustadt.example' })).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(DistrictConflictError);
    expect((dup as DistrictConflictError).field).toBe('slug');
    expect((dup as Error).message).toBe('Das Kürzel „neustadt“ ist schon vergeben. Bitte ein anderes wählen.');
    // the same slug in capitals is the same slug
    await expect(createDistrict(as(operator), form({ slug: 'NeuStadt', adminEmail: 'x@neustadt.example' }))).rejects.toThrow(
      /schon vergeben/,
    );
    const mail = await createDistrict(as(operator), form({ slug: 'neustadt-2' })).catch((e: unknown) => e);
    expect((mail as DistrictConflictError).field).toBe('adminEmail');
    expect([await count('tenants'), await count('users'), await count('mail_messages'), await count('audit_events')]).toEqual(before);
  });

  test('bad input: German messages per field, nothing written', async () => {
    const before = await count('tenants');
    const e = (await createDistrict(
      as(operator),
      form({ slug: 'Neu Stadt!', brandColor: 'blau', adminEmail: 'kein-mail', minGroupSize: '2' }),
    ).catch((x: unknown) => x)) as ValidationError;
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.fields).toEqual({
      slug: 'Das Kürzel darf nur Kleinbuchstaben, Ziffern und einzelne Bindestriche enthalten.',
      brandColor: 'Die Farbe bitte als Hex-Wert angeben, z. B. #1f4e79.',
      minGroupSize: 'Die Mindestgruppe muss mindestens 3 sein.',
      adminEmail: 'Bitte eine gültige E-Mail-Adresse angeben.',
    });
    expect(await count('tenants')).toBe(before);
  });

  test('nobody but the operator creates districts', async () => {
    for (const u of others)
      await expect(createDistrict(as(u), form({ slug: 'fremd', adminEmail: 'f@x.example' }))).rejects.toBeInstanceOf(ForbiddenError);
    // a CLI system actor of a district is no operator either
    await expect(createDistrict(systemContext(t.db, content, { tenantId: home.id }), form({ slug: 'fremd2' }))).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(await t.db.select().from(tenantTable).where(eq(tenantTable.slug, 'fremd'))).toEqual([]);
  });
});

describe('district health', () => {
  test('counts people, sign-ins in 30 days and rows per table; the last backup once recorded', async () => {
    const recent = await makeUser(t.db, { tenant: home.slug });
    await t.db
      .update(userTable)
      .set({ lastLoginAt: new Date(now.getTime() - 3 * 86_400_000) })
      .where(eq(userTable.id, recent.id));
    await t.db
      .update(userTable)
      .set({ lastLoginAt: new Date(now.getTime() - 45 * 86_400_000) })
      .where(eq(userTable.id, homeAdmin.id));
    const list = await listDistricts(as(operator));
    const row = list.find((d) => d.id === home.id);
    expect(row).toMatchObject({ people: 5, activePeople: 5, active30: 1, status: 'active' });
    const h = await getDistrictHealth(as(operator), home.id);
    expect(h.lastBackup).toBeNull();
    const users = h.rows.find((r) => r.table === 'users');
    expect(users?.rows).toBe(5);
    const facts = Number(
      (await t.client.execute({ sql: 'SELECT count(*) AS n FROM learning_events WHERE tenant_id = ?', args: [home.id] })).rows[0]?.n,
    );
    expect(h.rows.find((r) => r.table === 'learning_events')?.rows).toBe(facts);
    expect(h.totalRows).toBe(h.rows.reduce((s, r) => s + r.rows, 0));
    await recordBackup(
      t.db,
      { file: '/srv/kiko/sicherung.db', bytes: 123_456, newestRecord: null, newestAudit: null },
      { actorId: 'operator:test', now },
    );
    expect((await getDistrictHealth(as(operator), home.id)).lastBackup).toEqual({
      at: now,
      bytes: 123_456,
      file: '/srv/kiko/sicherung.db',
    });
    // counts only: nothing in the health answer names a person
    const text = JSON.stringify([list, h]);
    for (const u of [homeAdmin, recent, ...others]) {
      expect(text).not.toContain(u.email);
      expect(text).not.toContain(u.id);
    }
    expect(text).not.toContain('Test Person');
  });

  test('an unknown or tampered id is not found; other roles are refused', async () => {
    await expect(getDistrictHealth(as(operator), `${home.id.slice(0, -1)}x`)).rejects.toBeInstanceOf(NotFoundError);
    for (const u of others) {
      await expect(getDistrictHealth(as(u), home.id)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(listDistricts(as(u))).rejects.toBeInstanceOf(ForbiddenError);
    }
  });
});

describe('setDistrictStatus', () => {
  test('suspension needs the typed slug, ends every session at once and refuses login; reactivation lets people in again', async () => {
    const p = await makeUser(t.db, { tenant: home.slug, password: 'ein-gutes-passwort-123' });
    const login = await loginWithPassword(t.db, { email: p.email, password: 'ein-gutes-passwort-123', ip: '10.9.9.9', deviceSecret });
    if (!login.ok) throw new Error('login failed');
    const second = await createSession(t.db, homeAdmin.id);
    expect(await getSessionUser(t.db, login.token, policy)).not.toBeNull();
    const wrong = (await setDistrictStatus(as(operator), { tenantId: home.id, status: 'suspended', confirmation: 'falsch' }).catch(
      (e: unknown) => e,
    )) as ValidationError;
    expect(wrong).toBeInstanceOf(ValidationError);
    expect(wrong.message).toBe(`Zur Bestätigung bitte das Kürzel des Landkreises genau eingeben: ${home.slug}`);
    expect(await getSessionUser(t.db, login.token, policy)).not.toBeNull();

    const r = await setDistrictStatus(as(operator), {
      tenantId: home.id,
      status: 'suspended',
      confirmation: ` ${home.slug.toUpperCase()} `,
    });
    expect(r).toEqual({ changed: true, sessionsEnded: 2 });
    expect(await getSessionUser(t.db, login.token, policy)).toBeNull();
    expect(await getSessionUser(t.db, second.token, policy)).toBeNull();
    const refused = await loginWithPassword(t.db, { email: p.email, password: 'ein-gutes-passwort-123', ip: '10.9.9.9', deviceSecret });
    expect(refused).toEqual({ ok: false, reason: 'invalid' });
    expect((await listDistricts(as(operator))).find((d) => d.id === home.id)?.status).toBe('suspended');
    // again: nothing changes
    expect(await setDistrictStatus(as(operator), { tenantId: home.id, status: 'suspended', confirmation: home.slug })).toEqual({
      changed: false,
      sessionsEnded: 0,
    });

    expect((await setDistrictStatus(as(operator), { tenantId: home.id, status: 'active' })).changed).toBe(true);
    const back = await loginWithPassword(t.db, { email: p.email, password: 'ein-gutes-passwort-123', ip: '10.9.9.9', deviceSecret });
    expect(back.ok).toBe(true);
    const types = await t.db
      .select({ type: auditEventTable.type, data: auditEventTable.data })
      .from(auditEventTable)
      .where(and(eq(auditEventTable.chain, home.id), sql`${auditEventTable.type} LIKE 'tenant.%'`))
      .orderBy(auditEventTable.seq);
    expect(types).toEqual([
      { type: 'tenant.suspended', data: { sessionsEnded: 2 } },
      { type: 'tenant.reactivated', data: { sessionsEnded: 0 } },
    ]);
    expect((await verifyAuditChain(t.db, home.id)).ok).toBe(true);
  });

  test('other roles are refused, a tampered id is not found, and nothing changes', async () => {
    for (const u of others)
      await expect(setDistrictStatus(as(u), { tenantId: home.id, status: 'suspended', confirmation: home.slug })).rejects.toBeInstanceOf(
        ForbiddenError,
      );
    await expect(
      setDistrictStatus(as(operator), { tenantId: `${home.id.slice(0, -1)}x`, status: 'suspended', confirmation: home.slug }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const [row] = await t.db.select({ status: tenantTable.status }).from(tenantTable).where(eq(tenantTable.id, home.id));
    expect(row?.status).toBe('active');
  });
});
