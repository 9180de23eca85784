import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditEventTable, certificateTable } from '../../db/schema/index.ts';
import type { CertificateConfig } from '../../src/lib/server/certificates/certificate-config.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { listOwnCertificates } from '../../src/lib/server/certificates/list-own-certificates.ts';
import { getTenantCertificate, listTenantCertificates } from '../../src/lib/server/certificates/list-tenant-certificates.ts';
import { reissueCertificate } from '../../src/lib/server/certificates/reissue-certificate.ts';
import { revokeCertificate } from '../../src/lib/server/certificates/revoke-certificate.ts';
import { type ContentSet, loadContent } from '../../src/lib/server/content/load-content.ts';
import { type Ctx, personContext } from '../../src/lib/server/context.ts';
import { completeCourseWithAnswerKey } from '../../src/lib/server/demo/seed-demo-learning.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let t: TestDb;
let content: ContentSet;
let config: CertificateConfig;
let home: { id: string; slug: string };
let hr: AuthUser;
let admin: AuthUser;
let otherHr: AuthUser;
let operator: AuthUser;
let learner: AuthUser;
let certificateId: string;
beforeAll(async () => {
  t = await createTestDb();
  content = loadContent({ root: process.cwd() });
  config = { keyDir: join(t.dir, 'keys'), publicUrl: null };
  configureCertificateIssuing({ keyDir: config.keyDir });
  home = await makeTenant(t.db);
  const other = await makeTenant(t.db);
  hr = await makeUser(t.db, { tenant: home.slug, roles: ['learner', 'hr'] });
  admin = await makeUser(t.db, { tenant: home.slug, roles: ['learner', 'admin'] });
  otherHr = await makeUser(t.db, { tenant: other.slug, roles: ['learner', 'hr'] });
  operator = await makeUser(t.db, { roles: ['operator'] });
  learner = await makeUser(t.db, { tenant: home.slug, name: 'Lena Lernende' });
  await completeCourseWithAnswerKey(t.db, learner, content, 'ki-kompetenz-basis', new Date('2026-10-01T08:00:00Z'));
  certificateId = (await listOwnCertificates(as(learner)))[0]?.id ?? '';
});
afterAll(() => t.cleanup());

/** The verb context of a signed-in person. */
const as = (user: AuthUser): Ctx => personContext(t.db, user, content);

const revoked = async (id: string): Promise<boolean> =>
  (await t.db.select({ at: certificateTable.revokedAt }).from(certificateTable).where(eq(certificateTable.id, id)))[0]?.at !== null;

describe('revokeCertificate', () => {
  test('throws NotFound when HR of another district tries to revoke, and nothing changes', async () => {
    await expect(revokeCertificate(as(otherHr), { certificateId, reason: 'fremder Widerruf' })).rejects.toMatchObject({ status: 404 });
    expect(await revoked(certificateId)).toBe(false);
  });

  test('throws Forbidden for a learner and for the platform operator', async () => {
    await expect(revokeCertificate(as(learner), { certificateId, reason: 'selbst widerrufen' })).rejects.toMatchObject({ status: 403 });
    await expect(revokeCertificate(as(operator), { certificateId, reason: 'Betrieb' })).rejects.toMatchObject({ status: 403 });
    expect(await revoked(certificateId)).toBe(false);
  });

  test('throws Validation for a missing reason', async () => {
    await expect(revokeCertificate(as(hr), { certificateId, reason: '  ' })).rejects.toMatchObject({ status: 400 });
  });
});

describe('reissueCertificate', () => {
  test('throws NotFound for another district and Forbidden for the operator', async () => {
    await expect(reissueCertificate(as(otherHr), { certificateId }, config)).rejects.toMatchObject({ status: 404 });
    await expect(reissueCertificate(as(operator), { certificateId }, config)).rejects.toMatchObject({ status: 403 });
  });

  test('returns a new certificate replacing the old one, which is revoked as "ersetzt", with audit events', async () => {
    const { id, replacesId } = await reissueCertificate(as(admin), { certificateId }, config);
    expect(id).not.toBe(certificateId);
    expect(replacesId).toBe(certificateId);
    const [old] = await t.db.select().from(certificateTable).where(eq(certificateTable.id, certificateId));
    const [fresh] = await t.db.select().from(certificateTable).where(eq(certificateTable.id, id));
    expect(old).toMatchObject({ revokedReason: 'ersetzt' });
    expect(fresh).toMatchObject({
      replacesId: certificateId,
      revokedAt: null,
      achievementId: old?.achievementId,
      expiresAt: old?.expiresAt,
    });
    const types = (await t.db.select().from(auditEventTable).where(eq(auditEventTable.tenantId, home.id))).map((e) => e.type);
    expect(types.filter((x) => x === 'certificate.issued')).toHaveLength(2);
    expect(types).toContain('certificate.revoked');
    await expect(reissueCertificate(as(admin), { certificateId }, config)).rejects.toMatchObject({ status: 409 });
    certificateId = id;
  });
});

describe('listTenantCertificates', () => {
  test("returns only the own district's certificates, searchable by name and id", async () => {
    const list = await listTenantCertificates(as(hr));
    expect(list.items.map((c) => c.holderName)).toEqual(['Lena Lernende', 'Lena Lernende']);
    expect((await listTenantCertificates(as(hr), { query: 'lernende' })).total).toBe(2);
    expect((await listTenantCertificates(as(hr), { query: certificateId.toLowerCase() })).items.map((c) => c.id)).toEqual([certificateId]);
    expect((await listTenantCertificates(as(otherHr))).total).toBe(0);
    await expect(getTenantCertificate(as(otherHr), certificateId)).rejects.toMatchObject({ status: 404 });
  });

  test('throws Forbidden for the platform operator and for learners', async () => {
    await expect(listTenantCertificates(as(operator))).rejects.toMatchObject({ status: 403 });
    await expect(listTenantCertificates(as(learner))).rejects.toMatchObject({ status: 403 });
    await expect(getTenantCertificate(as(operator), certificateId)).rejects.toMatchObject({ status: 403 });
  });
});

describe('listOwnCertificates', () => {
  test('throws Forbidden for the platform operator, who sees no learning data', async () => {
    await expect(listOwnCertificates(as(operator))).rejects.toMatchObject({ status: 403 });
  });
});
