import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { certificateTable, rateLimitTable, tenantTable } from '../../db/schema/index.ts';
import type { CertificateConfig } from '../../src/lib/server/certificates/certificate-config.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { getOwnCertificateFile } from '../../src/lib/server/certificates/get-certificate-file.ts';
import { reissueCertificate } from '../../src/lib/server/certificates/reissue-certificate.ts';
import { revokeCertificate } from '../../src/lib/server/certificates/revoke-certificate.ts';
import {
  consumeVerifyQuota,
  holderInitials,
  VERIFY_LIMITS,
  verifyCertificateById,
  verifyCertificateUpload,
} from '../../src/lib/server/certificates/verify-certificate.ts';
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
const COMPLETED = new Date('2026-10-01T08:00:00Z');
const SOON = new Date('2026-10-05T08:00:00Z');
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

/** A learner of the test tenant with one course certificate; returns the user and the certificate id. */
async function certified(name = 'Małgorzata Müller-Weiß'): Promise<{ user: AuthUser; id: string }> {
  const user = await makeUser(t.db, { tenant: tenant.slug, name });
  await completeCourseWithAnswerKey(t.db, user, content, 'ki-kompetenz-basis', COMPLETED);
  const [row] = await t.db.select({ id: certificateTable.id }).from(certificateTable).where(eq(certificateTable.userId, user.id));
  return { user, id: row?.id ?? '' };
}

const flip = (bytes: Buffer, at: number): Buffer => {
  const copy = Buffer.from(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
};

describe('verifyCertificateById', () => {
  test('returns genuine with issuer, date, achievement and the holder as initials by default', async () => {
    const { id } = await certified();
    const result = await verifyCertificateById(t.db, { id: id.toLowerCase().replace(/^(.{5})/, '$1-') }, config, SOON);
    expect(result.status).toBe('genuine');
    expect(result.certificate).toMatchObject({
      id,
      kind: 'course',
      heading: 'Teilnahmebescheinigung',
      title: 'KI-Kompetenz kompakt',
      issuer: `Landkreis ${tenant.slug}`,
      holder: 'M. M.-W.',
      holderShown: 'initials',
      revokedAt: null,
    });
    expect(result.certificate?.topics.length).toBeGreaterThan(0);
    expect(JSON.stringify(result)).not.toContain('Müller');
  });

  test('returns the same not-found answer for an unknown and a malformed id', async () => {
    const unknown = await verifyCertificateById(t.db, { id: 'ZZZZZZZZZZ' }, config);
    const malformed = await verifyCertificateById(t.db, { id: '../../etc/passwd' }, config);
    const empty = await verifyCertificateById(t.db, { id: '' }, config);
    expect(unknown).toEqual({ status: 'not-found' });
    expect(malformed).toEqual(unknown);
    expect(empty).toEqual(unknown);
  });

  test('returns not-genuine when the stored payload was changed in the database', async () => {
    const { id } = await certified();
    const [row] = await t.db.select().from(certificateTable).where(eq(certificateTable.id, id));
    await t.db
      .update(certificateTable)
      .set({ payload: (row?.payload ?? '').replace('KI-Kompetenz kompakt', 'KI-Kompetenz komplett') })
      .where(eq(certificateTable.id, id));
    const result = await verifyCertificateById(t.db, { id }, config, SOON);
    expect(result.status).toBe('not-genuine');
    expect(result.certificate).toBeUndefined();
  });

  test('returns revoked after HR revoked it, and marks a reissued one as replaced', async () => {
    const a = await certified();
    await revokeCertificate(as(hr), { certificateId: a.id, reason: 'Versehentlich ausgestellt' });
    const revoked = await verifyCertificateById(t.db, { id: a.id }, config, SOON);
    expect(revoked.status).toBe('revoked');
    expect(revoked.certificate?.replaced).toBe(false);
    expect(JSON.stringify(revoked)).not.toContain('Versehentlich');
    const b = await certified();
    const { id: newId } = await reissueCertificate(as(hr), { certificateId: b.id }, config);
    expect((await verifyCertificateById(t.db, { id: b.id }, config, SOON)).certificate?.replaced).toBe(true);
    expect((await verifyCertificateById(t.db, { id: newId }, config, SOON)).status).toBe('genuine');
  });

  test('returns expired once the validity has passed', async () => {
    const { id } = await certified();
    expect((await verifyCertificateById(t.db, { id }, config, new Date('2031-01-01T00:00:00Z'))).status).toBe('expired');
  });

  test('returns the full name or no name when the district says so', async () => {
    const { id } = await certified('Jonas Jugendamt');
    await t.db
      .update(tenantTable)
      .set({ settings: { verificationHolder: 'full' } })
      .where(eq(tenantTable.id, tenant.id));
    expect((await verifyCertificateById(t.db, { id }, config, SOON)).certificate?.holder).toBe('Jonas Jugendamt');
    await t.db
      .update(tenantTable)
      .set({ settings: { verificationHolder: 'none' } })
      .where(eq(tenantTable.id, tenant.id));
    expect((await verifyCertificateById(t.db, { id }, config, SOON)).certificate).toMatchObject({ holder: null, holderShown: 'none' });
    await t.db.update(tenantTable).set({ settings: {} }).where(eq(tenantTable.id, tenant.id));
  });

  test('throws RateLimited after too many checks from one address', async () => {
    const ip = '203.0.113.7';
    for (let i = 0; i < VERIFY_LIMITS.perIp; i++) await verifyCertificateById(t.db, { id: 'ZZZZZZZZZZ', ip }, config);
    await expect(verifyCertificateById(t.db, { id: 'ZZZZZZZZZZ', ip }, config)).rejects.toMatchObject({ status: 429 });
    // another address is not affected
    await expect(verifyCertificateById(t.db, { id: 'ZZZZZZZZZZ', ip: '203.0.113.8' }, config)).resolves.toEqual({ status: 'not-found' });
  });
});

describe('consumeVerifyQuota for uploads', () => {
  test('once the server-wide upload window is used up, refuses uploads from new addresses without counting them, until the window ends', async () => {
    const own = await createTestDb();
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-10-05T08:00:00Z') });
    try {
      for (let i = 0; i < VERIFY_LIMITS.uploadsPerWindow; i++) await consumeVerifyQuota(own.db, `198.51.100.${i + 1}`, { upload: true });
      await expect(consumeVerifyQuota(own.db, '198.51.100.101', { upload: true })).rejects.toMatchObject({
        status: 429,
        message: expect.stringContaining('Gerade werden sehr viele Dateien geprüft'),
      });
      const counted = (await own.db.select().from(rateLimitTable)).length;
      // more uploads from new addresses meanwhile: refused in German, nothing more stored for them
      for (let i = 0; i < 30; i++)
        await expect(consumeVerifyQuota(own.db, `203.0.113.${i + 1}`, { upload: true })).rejects.toMatchObject({
          status: 429,
          retryAfterSeconds: expect.any(Number),
        });
      expect((await own.db.select().from(rateLimitTable)).length).toBe(counted);
      // the check by number is not limited for the whole server
      await expect(consumeVerifyQuota(own.db, '203.0.113.99')).resolves.toBeUndefined();
      // the next window takes uploads again
      vi.setSystemTime(new Date(Date.now() + (VERIFY_LIMITS.uploadWindowSeconds + 1) * 1000));
      await expect(consumeVerifyQuota(own.db, '203.0.113.100', { upload: true })).resolves.toBeUndefined();
    } finally {
      vi.useRealTimers();
      own.cleanup();
    }
  });

  test('an address over its own limit stays refused with its own message while the server still takes uploads', async () => {
    const own = await createTestDb();
    try {
      const ip = '192.0.2.44';
      for (let i = 0; i < VERIFY_LIMITS.perIp; i++) await consumeVerifyQuota(own.db, ip);
      for (let i = 0; i < 3; i++)
        await expect(consumeVerifyQuota(own.db, ip, { upload: true })).rejects.toMatchObject({
          status: 429,
          message: expect.stringContaining('Zu viele Prüfungen in kurzer Zeit'),
        });
      await expect(consumeVerifyQuota(own.db, '192.0.2.45', { upload: true })).resolves.toBeUndefined();
    } finally {
      own.cleanup();
    }
  });
});

describe('holderInitials', () => {
  test('returns initials per name part, hyphenated parts included', () => {
    expect(holderInitials('Małgorzata Müller-Weiß')).toBe('M. M.-W.');
    expect(holderInitials('  Ömer  Şahin ')).toBe('Ö. Ş.');
  });
});

describe('verifyCertificateUpload', () => {
  test('returns genuine for the downloaded PDF and not-genuine when any single byte of it is changed', async () => {
    const { user, id } = await certified();
    const pdf = (await getOwnCertificateFile(as(user), { id, format: 'pdf' }, config)).body;
    expect((await verifyCertificateUpload(t.db, { data: pdf }, config, SOON)).status).toBe('genuine');
    // header, page content stream, metadata payload, seal: one flipped bit anywhere is detected
    const text = pdf.toString('latin1');
    const positions = [10, text.indexOf('stream\n') + 20, text.indexOf('/KikoPayload') + 5, pdf.length - 200, pdf.length - 2];
    for (let i = 0; i < 20; i++) positions.push(Math.floor((pdf.length * (i + 0.5)) / 20));
    for (const at of positions) {
      const result = await verifyCertificateUpload(t.db, { data: flip(pdf, at) }, config, SOON);
      expect(result.status, `Byte ${at}`).toBe('not-genuine');
    }
    // cut off or extended files are not the issued file either
    expect((await verifyCertificateUpload(t.db, { data: pdf.subarray(0, pdf.length - 1) }, config, SOON)).status).toBe('not-genuine');
    expect((await verifyCertificateUpload(t.db, { data: Buffer.concat([pdf, Buffer.from('\n')]) }, config, SOON)).status).toBe(
      'not-genuine',
    );
  }, 30_000);

  test('returns genuine for the Open Badges credential and not-genuine when a value in it is changed', async () => {
    const { user, id } = await certified();
    const json = (await getOwnCertificateFile(as(user), { id, format: 'json' }, config)).body;
    expect((await verifyCertificateUpload(t.db, { data: json }, config, SOON)).status).toBe('genuine');
    const text = json.toString('utf8');
    const changed = [
      text.replace('Małgorzata', 'Malgorzata'),
      text.replace('"KI-Kompetenz kompakt"', '"KI-Kompetenz kompakT"'),
      text.replace(/"validUntil": "(\d)/, '"validUntil": "3'),
    ];
    for (const variant of changed) {
      expect(variant).not.toBe(text);
      expect((await verifyCertificateUpload(t.db, { data: Buffer.from(variant) }, config, SOON)).status).toBe('not-genuine');
    }
  }, 30_000);

  test('returns revoked and expired for genuine files when the record says so', async () => {
    const { user, id } = await certified();
    const pdf = (await getOwnCertificateFile(as(user), { id, format: 'pdf' }, config)).body;
    const json = (await getOwnCertificateFile(as(user), { id, format: 'json' }, config)).body;
    const later = new Date('2031-01-01T00:00:00Z');
    expect((await verifyCertificateUpload(t.db, { data: pdf }, config, later)).status).toBe('expired');
    expect((await verifyCertificateUpload(t.db, { data: json }, config, later)).status).toBe('expired');
    await revokeCertificate(as(hr), { certificateId: id, reason: 'Test' });
    expect((await verifyCertificateUpload(t.db, { data: pdf }, config, SOON)).status).toBe('revoked');
    expect((await verifyCertificateUpload(t.db, { data: json }, config, SOON)).status).toBe('revoked');
  }, 30_000);

  test('returns not-genuine for files that are no KIKO certificate', async () => {
    for (const data of [
      Buffer.from('%PDF-1.7\n%%EOF\n'),
      Buffer.from('{"id":"https://x.example/zertifikat-pruefen/ZZZZZZZZZZ"}'),
      Buffer.from('hallo'),
      Buffer.alloc(0),
    ]) {
      expect((await verifyCertificateUpload(t.db, { data }, config, SOON)).status).toBe('not-genuine');
    }
  });
});
