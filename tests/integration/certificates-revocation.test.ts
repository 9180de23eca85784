import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { certificateTable } from '../../db/schema/index.ts';
import type { CertificateConfig } from '../../src/lib/server/certificates/certificate-config.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { reissueCertificate } from '../../src/lib/server/certificates/reissue-certificate.ts';
import { revokeCertificate } from '../../src/lib/server/certificates/revoke-certificate.ts';
import { verifyCertificateById } from '../../src/lib/server/certificates/verify-certificate.ts';
import { type ContentSet, loadContent } from '../../src/lib/server/content/load-content.ts';
import { type Ctx, personContext } from '../../src/lib/server/context.ts';
import { completeCourseWithAnswerKey } from '../../src/lib/server/demo/seed-demo-learning.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let t: TestDb;
let content: ContentSet;
let config: CertificateConfig;
let tenant: { id: string; slug: string };
let hr: AuthUser;
beforeAll(async () => {
  t = await createTestDb();
  content = loadContent({ root: process.cwd() });
  config = { keyDir: join(t.dir, 'keys'), publicUrl: 'https://kiko.example' };
  configureCertificateIssuing({ keyDir: config.keyDir });
  tenant = await makeTenant(t.db);
  hr = await makeUser(t.db, { tenant: tenant.slug, roles: ['learner', 'hr'] });
});
afterAll(() => t.cleanup());

/** The verb context of a signed-in person. */
const as = (user: AuthUser, at?: Date): Ctx => personContext(t.db, user, content, at ? () => at : undefined);

async function certified(): Promise<string> {
  const user = await makeUser(t.db, { tenant: tenant.slug });
  await completeCourseWithAnswerKey(t.db, user, content, 'ki-kompetenz-basis', new Date('2026-10-01T08:00:00Z'));
  const [row] = await t.db.select({ id: certificateTable.id }).from(certificateTable).where(eq(certificateTable.userId, user.id));
  return row?.id ?? '';
}

describe('verifyCertificateById (revoked)', () => {
  test('returns replaced: false when HR typed "ersetzt" as the reason but no certificate replaces it', async () => {
    const id = await certified();
    await revokeCertificate(as(hr), { certificateId: id, reason: 'ersetzt' });
    const r = await verifyCertificateById(t.db, { id }, config);
    expect(r.status).toBe('revoked');
    expect(r.certificate?.replaced).toBe(false);
  });
  test('returns replaced: true when a reissued certificate replaces it', async () => {
    const id = await certified();
    await reissueCertificate(as(hr), { certificateId: id }, config);
    const r = await verifyCertificateById(t.db, { id }, config);
    expect(r.status).toBe('revoked');
    expect(r.certificate?.replaced).toBe(true);
  });
});

describe('reissueCertificate (revoked certificates)', () => {
  test('throws Conflict for a certificate withdrawn for deception and issues nothing', async () => {
    const id = await certified();
    await revokeCertificate(as(hr), { certificateId: id, reason: 'zurückgezogen wegen Täuschung' });
    await expect(reissueCertificate(as(hr), { certificateId: id }, config)).rejects.toMatchObject({ status: 409 });
    const successors = await t.db.select().from(certificateTable).where(eq(certificateTable.replacesId, id));
    expect(successors).toHaveLength(0);
  });
  test('returns a new certificate for a valid one (name change, error) and revokes the old one as replaced', async () => {
    const id = await certified();
    const r = await reissueCertificate(as(hr), { certificateId: id }, config);
    expect(r.replacesId).toBe(id);
    expect((await verifyCertificateById(t.db, { id: r.id }, config)).status).toBe('genuine');
  });
});
