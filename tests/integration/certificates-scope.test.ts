/**
 * Certificates within the scope of a grant: HR (or admin) whose grant is limited to an org unit sees, revokes and
 * reissues only certificates of people in that unit and its sub-units; everything else — another unit, no unit,
 * another district, a tampered id — is the same "not found", and learners are forbidden.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { certificateTable, courseCompletionTable, userRoleTable } from '../../db/schema/index.ts';
import type { CertificateConfig } from '../../src/lib/server/certificates/certificate-config.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { issueTenantCertificates } from '../../src/lib/server/certificates/issue-tenant-certificates.ts';
import { getTenantCertificate, listTenantCertificates } from '../../src/lib/server/certificates/list-tenant-certificates.ts';
import { reissueCertificate } from '../../src/lib/server/certificates/reissue-certificate.ts';
import { revokeCertificate } from '../../src/lib/server/certificates/revoke-certificate.ts';
import { type ContentSet, loadContent } from '../../src/lib/server/content/load-content.ts';
import { type Ctx, personContext } from '../../src/lib/server/context.ts';
import { completeCourseWithAnswerKey } from '../../src/lib/server/demo/seed-demo-learning.ts';
import { ensureTenant } from '../../src/lib/server/tenancy/create-tenant.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const NOT_HERE = { status: 404, message: 'Dieses Zertifikat gibt es in Ihrem Landkreis nicht.' };

let t: TestDb;
let content: ContentSet;
let config: CertificateConfig;
let tenant: { id: string; slug: string; orgUnitIds: Map<string, string> };
/** HR limited to "Amt B" (and its sub-unit "Sachgebiet B1"), admin limited to "Amt A". */
let hrB: AuthUser;
let adminA: AuthUser;
let hr: AuthUser;
let otherHr: AuthUser;
let learner: AuthUser;
/** Certificate ids by the holder's place: Amt A, Sachgebiet B1 (below Amt B), no org unit. */
const cert = { a: '', b1: '', none: '' };

async function scopeGrant(user: AuthUser, role: 'hr' | 'admin', unit: string): Promise<void> {
  await t.db
    .update(userRoleTable)
    .set({ scopeOrgUnitId: tenant.orgUnitIds.get(unit) })
    .where(and(eq(userRoleTable.userId, user.id), eq(userRoleTable.role, role)));
}

async function certifiedIn(unit: string | null, name: string): Promise<string> {
  const user = await makeUser(t.db, { tenant: tenant.slug, name, ...(unit ? { orgUnitId: tenant.orgUnitIds.get(unit) } : {}) });
  await completeCourseWithAnswerKey(t.db, user, content, 'ki-kompetenz-basis', new Date('2026-10-01T08:00:00Z'));
  const [row] = await t.db.select({ id: certificateTable.id }).from(certificateTable).where(eq(certificateTable.userId, user.id));
  return row?.id ?? '';
}

beforeAll(async () => {
  t = await createTestDb();
  content = loadContent({ root: process.cwd() });
  config = { keyDir: join(t.dir, 'keys'), publicUrl: null };
  configureCertificateIssuing({ keyDir: config.keyDir });
  const slug = `lk-${randomUUID().slice(0, 8)}`;
  const created = await ensureTenant(t.db, { slug, name: `Landkreis ${slug}` }, [
    { code: 'A', name: 'Amt A' },
    { code: 'B', name: 'Amt B' },
    { code: 'B1', name: 'Sachgebiet B1', parentCode: 'B' },
  ]);
  tenant = { id: created.id, slug, orgUnitIds: created.orgUnitIds };
  hrB = await makeUser(t.db, { tenant: slug, roles: ['learner', 'hr'], orgUnitId: tenant.orgUnitIds.get('B') });
  await scopeGrant(hrB, 'hr', 'B');
  adminA = await makeUser(t.db, { tenant: slug, roles: ['admin'], orgUnitId: tenant.orgUnitIds.get('A') });
  await scopeGrant(adminA, 'admin', 'A');
  hr = await makeUser(t.db, { tenant: slug, roles: ['hr'] });
  otherHr = await makeUser(t.db, { tenant: (await makeTenant(t.db)).slug, roles: ['hr'] });
  learner = await makeUser(t.db, { tenant: slug, orgUnitId: tenant.orgUnitIds.get('B1') });
  cert.a = await certifiedIn('A', 'Anna Amt-A');
  cert.b1 = await certifiedIn('B1', 'Bernd Sachgebiet-B1');
  cert.none = await certifiedIn(null, 'Nora Ohne-Einheit');
}, 60_000);
afterAll(() => t.cleanup());

const as = (user: AuthUser): Ctx => personContext(t.db, user, content);
const revokedAt = async (id: string): Promise<Date | null> =>
  (await t.db.select({ at: certificateTable.revokedAt }).from(certificateTable).where(eq(certificateTable.id, id)))[0]?.at ?? null;
const successors = async (id: string): Promise<number> =>
  (await t.db.select().from(certificateTable).where(eq(certificateTable.replacesId, id))).length;
/** One character changed: a well-formed id of a certificate that does not exist. */
const tampered = (id: string): string => `${id.slice(0, -1)}${id.endsWith('Z') ? 'Y' : 'Z'}`;

describe('listTenantCertificates (scoped grant)', () => {
  test('returns only the certificates of people in the grant’s subtree, also when searching by id', async () => {
    const list = await listTenantCertificates(as(hrB));
    expect(list.items.map((c) => c.id)).toEqual([cert.b1]);
    expect(list.total).toBe(1);
    expect((await listTenantCertificates(as(hrB), { query: cert.a })).total).toBe(0);
    expect((await listTenantCertificates(as(hrB), { query: 'Anna' })).total).toBe(0);
    expect((await listTenantCertificates(as(hrB), { query: cert.none })).total).toBe(0);
    expect((await listTenantCertificates(as(adminA))).items.map((c) => c.id)).toEqual([cert.a]);
    // a grant for the whole district sees all three, people without an org unit included
    expect((await listTenantCertificates(as(hr))).total).toBe(3);
    expect((await listTenantCertificates(as(otherHr))).total).toBe(0);
  });
});

describe('getTenantCertificate (scoped grant)', () => {
  test('returns a certificate inside the subtree and NotFound with the same message outside, elsewhere or tampered', async () => {
    await expect(getTenantCertificate(as(hrB), cert.b1)).resolves.toMatchObject({ id: cert.b1, holderName: 'Bernd Sachgebiet-B1' });
    for (const [ctx, id] of [
      [as(hrB), cert.a],
      [as(hrB), cert.none],
      [as(adminA), cert.b1],
      [as(otherHr), cert.b1],
      [as(hr), tampered(cert.b1)],
      [as(hrB), tampered(cert.b1)],
    ] as const)
      await expect(getTenantCertificate(ctx, id)).rejects.toMatchObject(NOT_HERE);
  });

  test('throws Forbidden for a learner, also for their own certificate’s id', async () => {
    await expect(getTenantCertificate(as(learner), cert.b1)).rejects.toMatchObject({ status: 403 });
    await expect(listTenantCertificates(as(learner))).rejects.toMatchObject({ status: 403 });
  });
});

describe('revokeCertificate (scoped grant)', () => {
  test('throws NotFound outside the subtree, in another district and for a tampered id, and nothing changes', async () => {
    for (const [ctx, id] of [
      [as(hrB), cert.a],
      [as(hrB), cert.none],
      [as(adminA), cert.b1],
      [as(otherHr), cert.a],
      [as(hr), tampered(cert.a)],
    ] as const)
      await expect(revokeCertificate(ctx, { certificateId: id, reason: 'nicht zuständig' })).rejects.toMatchObject(NOT_HERE);
    expect(await revokedAt(cert.a)).toBeNull();
    expect(await revokedAt(cert.b1)).toBeNull();
    expect(await revokedAt(cert.none)).toBeNull();
  });

  test('throws Forbidden for a learner', async () => {
    await expect(revokeCertificate(as(learner), { certificateId: cert.b1, reason: 'selbst widerrufen' })).rejects.toMatchObject({
      status: 403,
    });
    expect(await revokedAt(cert.b1)).toBeNull();
  });
});

describe('reissueCertificate (scoped grant)', () => {
  test('throws NotFound outside the subtree, in another district and for a tampered id, and issues nothing', async () => {
    for (const [ctx, id] of [
      [as(hrB), cert.a],
      [as(hrB), cert.none],
      [as(adminA), cert.b1],
      [as(otherHr), cert.b1],
      [as(hrB), tampered(cert.b1)],
    ] as const)
      await expect(reissueCertificate(ctx, { certificateId: id }, config)).rejects.toMatchObject(NOT_HERE);
    expect(await successors(cert.a)).toBe(0);
    expect(await successors(cert.b1)).toBe(0);
    expect(await successors(cert.none)).toBe(0);
  });

  test('throws Forbidden for a learner', async () => {
    await expect(reissueCertificate(as(learner), { certificateId: cert.b1 }, config)).rejects.toMatchObject({ status: 403 });
    expect(await successors(cert.b1)).toBe(0);
  });

  test('returns a new certificate inside the subtree (sub-unit included), and the scoped HR can then revoke it', async () => {
    const { id, replacesId } = await reissueCertificate(as(hrB), { certificateId: cert.b1 }, config);
    expect(replacesId).toBe(cert.b1);
    expect(await revokedAt(cert.b1)).not.toBeNull();
    await expect(revokeCertificate(as(hrB), { certificateId: id, reason: 'Versehentlich ausgestellt' })).resolves.toEqual({ id });
    expect(await revokedAt(id)).not.toBeNull();
    // the scoped admin of Amt A revokes in Amt A
    await expect(revokeCertificate(as(adminA), { certificateId: cert.a, reason: 'Täuschung festgestellt' })).resolves.toEqual({
      id: cert.a,
    });
  });
});

describe('issueTenantCertificates (scoped grant)', () => {
  test('issues only for people in the subtree and throws Forbidden for a learner', async () => {
    const inA = await makeUser(t.db, { tenant: tenant.slug, orgUnitId: tenant.orgUnitIds.get('A') });
    const inB = await makeUser(t.db, { tenant: tenant.slug, orgUnitId: tenant.orgUnitIds.get('B') });
    for (const user of [inA, inB])
      await t.db.insert(courseCompletionTable).values({
        id: randomUUID(),
        tenantId: tenant.id,
        userId: user.id,
        courseId: 'ki-kompetenz-basis',
        courseVersion: 'v1',
        completedAt: new Date('2026-09-01T10:00:00Z'),
      });
    await expect(issueTenantCertificates(as(learner), { config })).rejects.toMatchObject({ status: 403 });
    const r = await issueTenantCertificates(as(hrB), { config });
    expect(r.issued).toBe(1);
    const holders = async (userId: string): Promise<number> =>
      (await t.db.select().from(certificateTable).where(eq(certificateTable.userId, userId))).length;
    expect(await holders(inB.id)).toBe(1);
    expect(await holders(inA.id)).toBe(0);
  });
});
