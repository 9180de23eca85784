import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyCredential as independentVerify } from '@digitalcredentials/verifier-core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { certificateTable, tenantTable } from '../../db/schema/index.ts';
import type { CertificateConfig } from '../../src/lib/server/certificates/certificate-config.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { getOwnCertificateFile } from '../../src/lib/server/certificates/get-certificate-file.ts';
import { listOwnCertificates } from '../../src/lib/server/certificates/list-own-certificates.ts';
import { verifyOpenBadge } from '../../src/lib/server/certificates/open-badge.ts';
import { extractCertificateFromPdf } from '../../src/lib/server/certificates/pdf-metadata.ts';
import { verifyPdfSeal } from '../../src/lib/server/certificates/pdf-seal.ts';
import { revokeCertificate } from '../../src/lib/server/certificates/revoke-certificate.ts';
import { sanitizeLogoSvg } from '../../src/lib/server/certificates/sanitize-logo-svg.ts';
import { getTenantKeyRing } from '../../src/lib/server/certificates/tenant-key-ring.ts';
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
let lena: AuthUser;
let certificateId: string;
const fetchCalls: string[] = [];
beforeAll(async () => {
  t = await createTestDb();
  content = loadContent({ root: process.cwd() });
  config = { keyDir: join(t.dir, 'keys'), publicUrl: 'https://kiko.musterstadt.example' };
  configureCertificateIssuing({ keyDir: config.keyDir });
  tenant = await makeTenant(t.db);
  lena = await makeUser(t.db, { tenant: tenant.slug, name: 'Lena Lernende-Müller' });
  await completeCourseWithAnswerKey(t.db, lena, content, 'ki-kompetenz-basis', new Date('2026-10-01T08:00:00Z'));
  certificateId = (await listOwnCertificates(as(lena)))[0]?.id ?? '';
  // the credential check must run offline (verifier-core's optional schema lookup is the only network access)
  vi.stubGlobal('fetch', async (url: unknown) => {
    fetchCalls.push(String(url));
    throw new Error('offline');
  });
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'log').mockImplementation(() => {});
}, 60_000);
afterAll(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  t.cleanup();
});

/** The verb context of a signed-in person. */
const as = (user: AuthUser, at?: Date): Ctx => personContext(t.db, user, content, at ? () => at : undefined);

/** Writes the bytes to the test folder and runs a poppler/qpdf tool on them. */
function tool(bytes: Buffer, command: string, args: string[]): string {
  const file = join(t.dir, `${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, bytes);
  return execFileSync(
    command,
    args.map((a) => (a === 'FILE' ? file : a)),
    { encoding: 'utf8' },
  );
}

describe('listOwnCertificates', () => {
  test('returns the course certificate with title, minutes, topics and status valid after completion', async () => {
    const list = await listOwnCertificates(as(lena, new Date('2026-10-02T00:00:00Z')));
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      kind: 'course',
      heading: 'Teilnahmebescheinigung',
      title: 'KI-Kompetenz kompakt',
      status: 'valid',
      revokedAt: null,
    });
    expect(list[0]?.displayId).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  });

  test('returns an empty list when the learner has no certificate', async () => {
    expect(await listOwnCertificates(as(await makeUser(t.db, { tenant: tenant.slug })))).toEqual([]);
  });
});

describe('getOwnCertificateFile', () => {
  test('returns a sealed A4 PDF that passes qpdf --check and shows holder, course, minutes and verify URL as text', async () => {
    const file = await getOwnCertificateFile(as(lena), { id: certificateId, format: 'pdf' }, config);
    expect(file).toMatchObject({ contentType: 'application/pdf', filename: `Zertifikat-${certificateId}.pdf` });
    expect(tool(file.body, 'qpdf', ['--check', 'FILE'])).toMatch(/No syntax or stream encoding errors/);
    const text = tool(file.body, 'pdftotext', ['FILE', '-']);
    expect(text).toContain('Lena Lernende-Müller');
    expect(text).toContain('KI-Kompetenz kompakt');
    expect(text).toContain('Teilnahmebescheinigung');
    expect(text.replace(/\s+/g, '')).toContain(`https://kiko.musterstadt.example/zertifikat-pruefen/${certificateId}`);
    expect(text).toMatch(/Gültig bis \d+\. \w+ 20\d\d – danach Auffrischung/);
    expect(tool(file.body, 'pdfinfo', ['FILE'])).toMatch(/Page size:\s+842 x 595 pts \(A4\)/);
    const ring = getTenantKeyRing(config.keyDir, tenant.slug, { create: false });
    expect(ring && verifyPdfSeal(file.body, ring)).toBe(true);
    expect(extractCertificateFromPdf(file.body)?.id).toBe(certificateId);
  }, 30_000);

  test('returns a PNG of 1684 × 1190 pixels', async () => {
    const file = await getOwnCertificateFile(as(lena), { id: certificateId.toLowerCase(), format: 'png' }, config);
    expect(file.contentType).toBe('image/png');
    expect(file.body.readUInt32BE(16)).toBe(1684);
    expect(file.body.readUInt32BE(20)).toBe(1190);
  }, 30_000);

  test('returns an Open Badges 3.0 credential that KIKO and the independent verifier-core accept', async () => {
    const file = await getOwnCertificateFile(as(lena), { id: certificateId, format: 'json' }, config);
    const credential = JSON.parse(file.body.toString('utf8'));
    expect(credential).toMatchObject({
      id: `https://kiko.musterstadt.example/zertifikat-pruefen/${certificateId}`,
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      credentialSubject: { name: 'Lena Lernende-Müller', achievement: { name: 'KI-Kompetenz kompakt' } },
    });
    const ring = getTenantKeyRing(config.keyDir, tenant.slug, { create: false });
    expect(ring && (await verifyOpenBadge(credential, ring)).verified).toBe(true);
    const independent = await independentVerify({ credential, knownDIDRegistries: [] });
    expect(independent.errors).toBeUndefined();
    expect(Object.fromEntries((independent.log ?? []).map((e) => [e.id, e.valid]))).toMatchObject({ valid_signature: true });
    expect(fetchCalls.every((u) => u.startsWith('https://purl.imsglobal.org/spec/ob/v3p0/schema/'))).toBe(true);
  }, 60_000);

  test('throws NotFound for another learner, a tampered and a malformed id alike', async () => {
    const other = await makeUser(t.db, { tenant: tenant.slug });
    const stranger = await makeUser(t.db, { tenant: (await makeTenant(t.db)).slug });
    const tampered = (certificateId[0] === 'A' ? 'B' : 'A') + certificateId.slice(1);
    const attempts = [
      getOwnCertificateFile(as(other), { id: certificateId, format: 'pdf' }, config),
      getOwnCertificateFile(as(stranger), { id: certificateId, format: 'pdf' }, config),
      getOwnCertificateFile(as(lena), { id: tampered, format: 'pdf' }, config),
      getOwnCertificateFile(as(lena), { id: "' OR 1=1 --", format: 'pdf' }, config),
    ];
    for (const attempt of attempts)
      await expect(attempt).rejects.toMatchObject({ status: 404, message: 'Dieses Zertifikat gibt es nicht.' });
  });

  test('throws Forbidden for the platform operator and Conflict once the certificate is revoked', async () => {
    const operator = await makeUser(t.db, { roles: ['operator'] });
    await expect(getOwnCertificateFile(as(operator), { id: certificateId, format: 'pdf' }, config)).rejects.toMatchObject({
      status: 403,
    });
    const l = await makeUser(t.db, { tenant: tenant.slug });
    await completeCourseWithAnswerKey(t.db, l, content, 'ki-kompetenz-basis', new Date('2026-10-01T08:00:00Z'));
    const [cert] = await t.db.select().from(certificateTable).where(eq(certificateTable.userId, l.id));
    const hr = await makeUser(t.db, { tenant: tenant.slug, roles: ['hr'] });
    await revokeCertificate(as(hr), { certificateId: cert?.id ?? '', reason: 'Täuschung festgestellt' });
    await expect(getOwnCertificateFile(as(l), { id: cert?.id ?? '', format: 'pdf' }, config)).rejects.toMatchObject({ status: 409 });
  });
});

describe('sanitizeLogoSvg', () => {
  test('returns the logo without scripts, event handlers and external references', () => {
    const logo =
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" onload="alert(1)">' +
      '<script>alert(1)</script><rect width="10" height="10" fill="url(#g)"/><image href="file:///etc/passwd"/>' +
      '<image xlink:href="https://tracker.example/x.png"/><use href="#g"/><foreignObject><div>x</div></foreignObject></svg>';
    const clean = sanitizeLogoSvg(logo) ?? '';
    expect(clean).toContain('<rect width="10" height="10" fill="url(#g)"/>');
    expect(clean).toContain('<use href="#g"/>');
    for (const bad of ['script', 'onload', '/etc/passwd', 'tracker.example', 'foreignObject']) expect(clean).not.toContain(bad);
    expect(sanitizeLogoSvg('<div>kein SVG</div>')).toBeNull();
  });

  test('returns a PDF with the district logo and signatory from the tenant settings', async () => {
    const logo =
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20"><rect width="40" height="20" fill="#2e6b30"/><script>x()</script></svg>';
    await t.db
      .update(tenantTable)
      .set({ settings: { logoSvg: logo, signatory: 'Der Landrat', brandColor: '#2e6b30' } })
      .where(eq(tenantTable.id, tenant.id));
    const file = await getOwnCertificateFile(as(lena), { id: certificateId, format: 'pdf' }, config);
    expect(tool(file.body, 'qpdf', ['--check', 'FILE'])).toMatch(/No syntax or stream encoding errors/);
    expect(tool(file.body, 'pdftotext', ['FILE', '-'])).toContain('Der Landrat');
    await t.db.update(tenantTable).set({ settings: {} }).where(eq(tenantTable.id, tenant.id));
  }, 30_000);
});
