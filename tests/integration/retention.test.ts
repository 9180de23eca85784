/**
 * Retention of deactivated accounts: the setting (district-wide admins only, validated, audited), a run that erases
 * the accounts deactivated longer than N months through the recorded erasure path (pseudonymised, certificates
 * revoked, audit chain verifies), a dry run that changes nothing, another district untouched, the scheduled job over
 * all districts with retention on, and `kiko retention run` on the command line.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditEventTable, certificateTable, learningEventTable, tenantTable, userTable } from '../../db/schema/index.ts';
import { verifyAuditChain } from '../../src/lib/server/audit/verify-audit-chain.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { verifyCertificateById } from '../../src/lib/server/certificates/verify-certificate.ts';
import { type ContentSet, loadContent } from '../../src/lib/server/content/load-content.ts';
import { type Ctx, personContext, systemContext } from '../../src/lib/server/context.ts';
import { completeCourseWithAnswerKey } from '../../src/lib/server/demo/seed-demo-learning.ts';
import { ForbiddenError, ValidationError } from '../../src/lib/server/errors/domain-errors.ts';
import { retentionJob } from '../../src/lib/server/jobs/server-jobs.ts';
import { createOrgUnit } from '../../src/lib/server/tenancy/create-org-unit.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { getRetentionStatus, RETENTION_EVENT, runRetention, updateRetentionSetting } from '../../src/lib/server/users/retention.ts';
import { setPersonActive } from '../../src/lib/server/users/set-person-active.ts';
import { setPersonRoles } from '../../src/lib/server/users/set-person-roles.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const NOW = new Date('2026-12-01T03:00:00Z');
let t: TestDb;
let content: ContentSet;
let home: Awaited<ReturnType<typeof makeTenant>>;
let other: Awaited<ReturnType<typeof makeTenant>>;
let admin: AuthUser;
let otherAdmin: AuthUser;
const as = (u: AuthUser, at: Date = NOW): Ctx => personContext(t.db, u, content, () => at);
const system = (tenantId: string, at: Date = NOW): Ctx => systemContext(t.db, content, { tenantId, clock: () => at, name: 'retention' });

/** A person of the district deactivated at `at`. */
async function deactivated(tenant: { id: string; slug: string }, at: Date, name: string): Promise<AuthUser> {
  const p = await makeUser(t.db, { tenant: tenant.slug, name });
  await setPersonActive(system(tenant.id, at), { userId: p.id, active: false });
  return p;
}

async function row(id: string) {
  const [r] = await t.db.select().from(userTable).where(eq(userTable.id, id));
  return r;
}

beforeAll(async () => {
  t = await createTestDb();
  content = loadContent({ root: process.cwd() });
  configureCertificateIssuing({ keyDir: join(t.dir, 'keys') });
  home = await makeTenant(t.db);
  other = await makeTenant(t.db);
  admin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'], name: 'Anna Admin' });
  otherAdmin = await makeUser(t.db, { tenant: other.slug, roles: ['admin'], name: 'Otto Admin' });
});
afterAll(() => t.cleanup());

describe('updateRetentionSetting', () => {
  test('validates the months and changes nothing on bad input', async () => {
    await expect(updateRetentionSetting(as(admin), { enabled: true })).rejects.toThrow(ValidationError);
    await expect(updateRetentionSetting(as(admin), { enabled: true, months: '0' })).rejects.toThrow('Mindestens 1 Monat.');
    await expect(updateRetentionSetting(as(admin), { enabled: true, months: 'zwölf' })).rejects.toThrow(ValidationError);
    await expect(updateRetentionSetting(as(admin), { enabled: true, months: '2.5' })).rejects.toThrow(/ganze Zahl/);
    expect((await getRetentionStatus(as(admin))).months).toBeNull();
  });

  test('an admin scoped to an org unit may not change it; a learner is refused', async () => {
    const unit = (await createOrgUnit(as(admin), { code: 'S-1', name: 'Sachgebiet S1', parentId: home.orgUnitIds.get('A') })).id;
    const scoped = await makeUser(t.db, { tenant: home.slug, name: 'Sabine Teil' });
    await setPersonRoles(as(admin), { userId: scoped.id, grants: [{ role: 'learner' }, { role: 'admin', scopeOrgUnitId: unit }] });
    const { getAuthUser } = await import('../../src/lib/server/users/get-auth-user.ts');
    const scopedUser = (await getAuthUser(t.db, scoped.id)) as AuthUser;
    await expect(updateRetentionSetting(as(scopedUser), { enabled: true, months: '6' })).rejects.toThrow(ForbiddenError);
    const learner = await makeUser(t.db, { tenant: home.slug });
    await expect(updateRetentionSetting(as(learner), { enabled: true, months: '6' })).rejects.toThrow(ForbiddenError);
    await expect(runRetention(as(learner))).rejects.toThrow(ForbiddenError);
    expect((await getRetentionStatus(as(admin))).months).toBeNull();
  });

  test('with retention off a run erases nothing and writes nothing', async () => {
    const p = await deactivated(home, new Date('2024-01-01T00:00:00Z'), 'Lange Weg');
    const before = await t.db.select({ n: count() }).from(auditEventTable).where(eq(auditEventTable.tenantId, home.id));
    const r = await runRetention(system(home.id));
    expect(r).toMatchObject({ months: null, erased: 0 });
    expect((await row(p.id))?.name).toBe('Lange Weg');
    const after = await t.db.select({ n: count() }).from(auditEventTable).where(eq(auditEventTable.tenantId, home.id));
    expect(after[0]?.n).toBe(before[0]?.n);
  });
});

describe('runRetention', () => {
  let old1: AuthUser;
  let old2: AuthUser;
  let recent: AuthUser;
  let active: AuthUser;
  let otherOld: AuthUser;
  let certificateId: string;

  beforeAll(async () => {
    await updateRetentionSetting(as(admin), { enabled: true, months: '6' });
    await updateRetentionSetting(as(otherAdmin), { enabled: true, months: '6' });
    // certified before leaving: the erasure revokes the certificate
    old1 = await makeUser(t.db, { tenant: home.slug, name: 'Alt Eins' });
    await completeCourseWithAnswerKey(t.db, old1, content, 'ki-kompetenz-basis', new Date('2025-10-01T08:00:00Z'));
    const [c] = await t.db.select({ id: certificateTable.id }).from(certificateTable).where(eq(certificateTable.userId, old1.id));
    certificateId = c?.id ?? '';
    await setPersonActive(system(home.id, new Date('2026-03-01T00:00:00Z')), { userId: old1.id, active: false });
    // exactly six months before NOW: due
    old2 = await deactivated(home, new Date('2026-06-01T03:00:00Z'), 'Alt Zwei');
    recent = await deactivated(home, new Date('2026-06-02T00:00:00Z'), 'Kürzlich Weg');
    active = await makeUser(t.db, { tenant: home.slug, name: 'Noch Da' });
    otherOld = await deactivated(other, new Date('2025-01-01T00:00:00Z'), 'Fremd Alt');
  });

  test('the status names the setting and how many are due now', async () => {
    const s = await getRetentionStatus(as(admin));
    expect(s.months).toBe(6);
    // "Lange Weg" from the test above, Alt Eins, Alt Zwei
    expect(s.dueNow).toBe(3);
    expect(s.lastRun).toBeNull();
  });

  test('a dry run lists the due accounts and changes nothing', async () => {
    const events = await t.db.select({ n: count() }).from(auditEventTable);
    const facts = await t.db.select({ n: count() }).from(learningEventTable);
    const r = await runRetention(system(home.id), { dryRun: true });
    expect(r.dryRun).toBe(true);
    expect(r.due).toHaveLength(3);
    expect(r.due.map((d) => d.email)).toEqual(expect.arrayContaining([old1.email, old2.email]));
    expect(r.due.map((d) => d.email)).not.toContain(recent.email);
    expect(r.erased).toBe(0);
    expect((await row(old1.id))?.name).toBe('Alt Eins');
    expect((await t.db.select({ n: count() }).from(auditEventTable))[0]?.n).toBe(events[0]?.n);
    expect((await t.db.select({ n: count() }).from(learningEventTable))[0]?.n).toBe(facts[0]?.n);
    expect((await t.db.select().from(certificateTable).where(eq(certificateTable.id, certificateId)))[0]?.revokedAt).toBeNull();
  });

  test('erases the accounts past the period through the erasure path; the others and the other district stay', async () => {
    const r = await runRetention(system(home.id));
    expect(r).toMatchObject({ months: 6, erased: 3, certificatesRevoked: 1, failed: 0 });
    for (const p of [old1, old2]) {
      const gone = await row(p.id);
      expect(gone).toMatchObject({ status: 'disabled', passwordHash: null, externalId: null, email: `${p.id}@geloescht.invalid` });
      expect(gone?.name).toMatch(/^Gelöschte Person /);
      const erasedFacts = await t.db
        .select()
        .from(learningEventTable)
        .where(and(eq(learningEventTable.userId, p.id), eq(learningEventTable.type, 'person.erased')));
      expect(erasedFacts).toHaveLength(1);
    }
    // the learning facts stay under the pseudonymous id
    expect(
      (await t.db.select({ n: count() }).from(learningEventTable).where(eq(learningEventTable.userId, old1.id)))[0]?.n,
    ).toBeGreaterThan(1);
    expect((await row(recent.id))?.name).toBe('Kürzlich Weg');
    expect(await row(active.id)).toMatchObject({ name: 'Noch Da', status: 'active' });
    expect((await row(otherOld.id))?.name).toBe('Fremd Alt');
    const verified = await verifyCertificateById(
      t.db,
      { id: certificateId },
      { keyDir: join(t.dir, 'keys'), publicUrl: 'https://kiko.example' },
    );
    expect(verified.status).toBe('revoked');
    expect(JSON.stringify(verified)).not.toContain('Alt Eins');
    expect((await verifyAuditChain(t.db, home.id)).ok).toBe(true);
    expect((await verifyAuditChain(t.db, other.id)).ok).toBe(true);
    const runs = await t.db
      .select()
      .from(auditEventTable)
      .where(and(eq(auditEventTable.tenantId, home.id), eq(auditEventTable.type, RETENTION_EVENT)));
    expect(runs).toHaveLength(1);
    expect(runs[0]?.data).toMatchObject({ months: 6, erased: 3 });
    const s = await getRetentionStatus(as(admin));
    expect(s.dueNow).toBe(0);
    expect(s.lastRun).toMatchObject({ erased: 3 });
    expect(s.lastRun?.at.getTime()).toBe(NOW.getTime());
  });

  test('a second run erases nothing more (already erased accounts are not due again)', async () => {
    const r = await runRetention(system(home.id));
    expect(r).toMatchObject({ erased: 0, failed: 0 });
    expect(r.due).toHaveLength(0);
    expect((await verifyAuditChain(t.db, home.id)).ok).toBe(true);
  });

  test('the scheduled job visits every active district with retention on, a suspended one not', async () => {
    const suspended = await makeTenant(t.db);
    const suspendedAdmin = await makeUser(t.db, { tenant: suspended.slug, roles: ['admin'] });
    await updateRetentionSetting(as(suspendedAdmin), { enabled: true, months: '1' });
    const suspendedOld = await deactivated(suspended, new Date('2025-01-01T00:00:00Z'), 'Ruht Alt');
    await t.db.update(tenantTable).set({ status: 'suspended' }).where(eq(tenantTable.id, suspended.id));
    const later = await deactivated(home, new Date('2026-01-01T00:00:00Z'), 'Später Alt');
    const log: string[] = [];
    const summary = await retentionJob(
      t.db,
      () => content,
      (l) => log.push(l),
    ).run(NOW);
    expect(summary).toContain('gelöscht 2');
    expect(log).toEqual([]);
    expect((await row(later.id))?.name).toMatch(/^Gelöschte Person /);
    expect((await row(otherOld.id))?.name).toMatch(/^Gelöschte Person /);
    expect((await row(suspendedOld.id))?.name).toBe('Ruht Alt');
    expect((await verifyAuditChain(t.db, other.id)).ok).toBe(true);
  });

  test('switching it off is recorded and stops the job for that district', async () => {
    await updateRetentionSetting(as(otherAdmin), { enabled: false });
    expect((await getRetentionStatus(as(otherAdmin))).months).toBeNull();
    const p = await deactivated(other, new Date('2025-01-01T00:00:00Z'), 'Bleibt');
    await retentionJob(
      t.db,
      () => content,
      () => {},
    ).run(NOW);
    expect((await row(p.id))?.name).toBe('Bleibt');
    const changes = await t.db
      .select()
      .from(auditEventTable)
      .where(and(eq(auditEventTable.tenantId, other.id), eq(auditEventTable.type, 'tenant.retention-changed')));
    expect(changes.map((c) => (c.data as { deleteDeactivatedAfterMonths: unknown }).deleteDeactivatedAfterMonths)).toEqual([6, null]);
  });
});

describe('kiko retention run', () => {
  test('dry run lists, the run erases, and a wrong call explains itself', async () => {
    const slug = `lk-cli-${Date.now().toString(36)}`;
    const d = await makeTenant(t.db, slug);
    const a = await makeUser(t.db, { tenant: slug, roles: ['admin'] });
    await updateRetentionSetting(as(a), { enabled: true, months: '3' });
    const p = await deactivated(d, new Date('2025-01-01T00:00:00Z'), 'Cli Alt');
    const kiko = (args: string[]) =>
      spawnSync(process.execPath, ['bin/kiko.mjs', ...args], {
        env: { ...process.env, DATABASE_URL: t.url, NODE_ENV: 'test' },
        encoding: 'utf8',
      });
    const dry = kiko(['retention', 'run', '--tenant', slug, '--dry-run']);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('1 Konten würden gelöscht');
    expect(dry.stdout).toContain(p.email);
    expect((await row(p.id))?.name).toBe('Cli Alt');
    const run = kiko(['retention', 'run', '--tenant', slug, '--operator', 'Olaf Betrieb']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Gelöscht: 1 Konten');
    expect((await row(p.id))?.name).toMatch(/^Gelöschte Person /);
    expect((await verifyAuditChain(t.db, d.id)).ok).toBe(true);
    expect(kiko(['retention', 'run']).status).toBe(2);
    expect(kiko(['retention', 'run', '--tenant', 'gibt-es-nicht']).status).toBe(1);
  });
});
