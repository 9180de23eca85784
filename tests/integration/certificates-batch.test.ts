import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditEventTable, auditPersonalTable, certificateTable, courseCompletionTable, learningEventTable } from '../../db/schema/index.ts';
import { type CertificatesContext, runCertificatesCommand } from '../../src/cli/certificates.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { verifyAuditChain } from '../../src/lib/server/audit/verify-audit-chain.ts';
import type { CertificateConfig } from '../../src/lib/server/certificates/certificate-config.ts';
import { issueTenantCertificates } from '../../src/lib/server/certificates/issue-tenant-certificates.ts';
import { type ContentSet, loadContent } from '../../src/lib/server/content/load-content.ts';
import { personContext } from '../../src/lib/server/context.ts';
import { assignPath } from '../../src/lib/server/learning/assign-path.ts';
import { tenantContext } from '../../src/lib/server/tenancy/tenant-context.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let t: TestDb;
let content: ContentSet;
let config: CertificateConfig;
let tenant: { id: string; slug: string };
const PEOPLE = 12;
const completedAt = new Date('2026-09-01T10:00:00Z');
beforeAll(async () => {
  t = await createTestDb();
  content = loadContent({ root: process.cwd() });
  config = { keyDir: join(t.dir, 'keys'), publicUrl: 'https://kiko.example' };
  tenant = await makeTenant(t.db);
  const admin = await makeUser(t.db, { tenant: tenant.slug, roles: ['admin'] });
  // completions recorded before certificates existed: one course each, and the whole "alle" path for the first person
  for (let i = 0; i < PEOPLE; i++) {
    const user = await makeUser(t.db, { tenant: tenant.slug, name: `Person ${i + 1}` });
    const courses = i === 0 ? (content.paths.get('alle')?.required ?? []) : ['ki-kompetenz-basis'];
    if (i === 0) await assignPath(personContext(t.db, admin, content), { pathId: 'alle', userId: user.id });
    for (const courseId of courses) {
      await t.db
        .insert(courseCompletionTable)
        .values({ id: randomUUID(), tenantId: tenant.id, userId: user.id, courseId, courseVersion: 'v1', completedAt });
    }
  }
  await makeUser(t.db, { tenant: tenant.slug, name: 'Noch ohne Abschluss' });
});
afterAll(() => t.cleanup());

function capture(): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l) };
}
const ctx = (): CertificatesContext => ({ db: t.db, config, content: () => content, tty: false });
const count = async (): Promise<number> =>
  (await t.db.select({ id: certificateTable.id }).from(certificateTable).where(eq(certificateTable.tenantId, tenant.id))).length;
const expected = (content: ContentSet): number => (content.paths.get('alle')?.required.length ?? 0) + 1 + (PEOPLE - 1);

describe('issueTenantCertificates', () => {
  test('returns the remaining certificates without duplicates when rerun after an interruption', async () => {
    let seen = 0;
    const system = await tenantContext(t.db, content, { tenantSlug: tenant.slug, clock: () => new Date('2026-10-01T00:00:00Z') });
    const interrupted = issueTenantCertificates(system, {
      config,
      onProgress: (p) => {
        if (p.phase === 'issue' && ++seen === 5) throw new Error('Abbruch (Strg+C)');
      },
    });
    await expect(interrupted).rejects.toThrow('Abbruch');
    const partial = await count();
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(expected(content));

    const io = capture();
    expect(await runCertificatesCommand(['issue', '--tenant', tenant.slug], io, ctx())).toBe(0);
    expect(await count()).toBe(expected(content));
    const added = expected(content) - partial;
    expect(io.lines.at(-1)).toBe(
      `Fertig: ${PEOPLE + 2} Personen geprüft, ${added} ${added === 1 ? 'Zertifikat' : 'Zertifikate'} neu ausgestellt.`,
    );
    expect(io.lines.some((l) => /^Personen geprüft: \d+\/\d+/.test(l))).toBe(true);

    const again = capture();
    expect(await runCertificatesCommand(['issue', '--tenant', tenant.slug], again, ctx())).toBe(0);
    expect(again.lines.at(-1)).toMatch(/, 0 Zertifikate neu ausgestellt\.$/);
    expect(await count()).toBe(expected(content));
    const paths = await t.db.select().from(certificateTable).where(eq(certificateTable.kind, 'path'));
    expect(paths.map((p) => p.achievementId)).toEqual(['alle']);
  });

  test('returns PDF files for the valid certificates and keeps existing ones on a rerun', async () => {
    const dir = join(t.dir, 'pdf');
    const io = capture();
    expect(await runCertificatesCommand(['issue', '--tenant', tenant.slug, '--pdf', dir], io, ctx())).toBe(0);
    const files = readdirSync(dir);
    expect(files).toHaveLength(expected(content));
    expect(files.every((f) => /^[0-9A-Z]{10}\.pdf$/.test(f))).toBe(true);
    const again = capture();
    expect(await runCertificatesCommand(['issue', '--tenant', tenant.slug, '--pdf', dir], again, ctx())).toBe(0);
    expect(again.lines.at(-1)).toBe(`PDF-Dateien: 0 geschrieben, ${expected(content)} waren schon vorhanden.`);
  }, 60_000);

  test('returns exit code 2 with a German message for an unknown district or path', async () => {
    const io = capture();
    expect(await runCertificatesCommand(['issue', '--tenant', 'gibt-es-nicht'], io, ctx())).toBe(1);
    expect(io.lines.join('\n')).toContain('Einen Landkreis „gibt-es-nicht“ gibt es nicht.');
    expect(await runCertificatesCommand(['issue', '--tenant', tenant.slug, '--path', 'unbekannt'], io, ctx())).toBe(2);
  });
});

describe('kiko certificates verify', () => {
  test('returns exit code 0 and ECHT for a genuine PDF, 1 and NICHT ECHT for one changed byte', async () => {
    const dir = join(t.dir, 'pdf');
    const file = join(dir, readdirSync(dir)[0] ?? '');
    const io = capture();
    expect(await runCertificatesCommand(['verify', file], io, ctx())).toBe(0);
    expect(io.lines[0]).toMatch(/^ECHT: (Teilnahmebescheinigung|Zertifikat KI-Kompetenz) Nr\. [0-9A-Z]{5}-[0-9A-Z]{5}$/);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] = (bytes[Math.floor(bytes.length / 2)] ?? 0) ^ 1;
    const changed = join(t.dir, 'verändert.pdf');
    writeFileSync(changed, bytes);
    const bad = capture();
    expect(await runCertificatesCommand(['verify', changed], bad, ctx())).toBe(1);
    expect(bad.lines[0]).toMatch(/^NICHT ECHT: /);
    expect(await runCertificatesCommand(['verify', join(t.dir, 'fehlt.pdf')], capture(), ctx())).toBe(2);
  });

  test('returns exit code 1 and WIDERRUFEN for a revoked certificate', async () => {
    const dir = join(t.dir, 'pdf');
    const name = readdirSync(dir)[1] ?? '';
    await t.db
      .update(certificateTable)
      .set({ revokedAt: new Date(), revokedReason: 'Test' })
      .where(eq(certificateTable.id, name.slice(0, 10)));
    const io = capture();
    expect(await runCertificatesCommand(['verify', join(dir, name)], io, ctx())).toBe(1);
    expect(io.lines[0]).toMatch(/^WIDERRUFEN: /);
  });
});

/** Actor ids of the audit entries of one type in the tenant's chain (the actor lives in the erasable personal part). */
async function auditActors(type: string): Promise<Array<{ actorId: unknown; data: unknown }>> {
  const rows = await t.db
    .select({ data: auditEventTable.data, personal: auditPersonalTable.data })
    .from(auditEventTable)
    .innerJoin(auditPersonalTable, eq(auditPersonalTable.seq, auditEventTable.seq))
    .where(and(eq(auditEventTable.tenantId, tenant.id), eq(auditEventTable.type, type)));
  return rows.map((r) => ({ actorId: r.personal?.actorId, data: r.data }));
}

describe('kiko certificates issue (actor)', () => {
  test('records the CLI as "system:kiko-cli" in the audit log and the record, or the operator named with --operator', async () => {
    const issued = await auditActors('certificate.issued');
    expect(issued).toHaveLength(expected(content));
    expect(issued.every((e) => e.actorId === 'system:kiko-cli')).toBe(true);
    const facts = await t.db.select().from(learningEventTable).where(eq(learningEventTable.type, 'certificate.issued'));
    expect(facts.length).toBe(expected(content));
    expect(facts.every((f) => f.actorId === 'system:kiko-cli')).toBe(true);

    const late = await makeUser(t.db, { tenant: tenant.slug, name: 'Nachzüglerin' });
    await t.db
      .insert(courseCompletionTable)
      .values({ id: randomUUID(), tenantId: tenant.id, userId: late.id, courseId: 'ki-kompetenz-basis', courseVersion: 'v1', completedAt });
    const io = capture();
    expect(await runCertificatesCommand(['issue', '--tenant', tenant.slug, '--operator', 'Olaf Ops'], io, ctx())).toBe(0);
    expect(io.lines.at(-1)).toMatch(/, 1 Zertifikat neu ausgestellt\.$/);
    const byOperator = (await auditActors('certificate.issued')).filter((e) => e.actorId === 'operator:Olaf Ops');
    expect(byOperator).toHaveLength(1);
    const [fact] = await t.db
      .select()
      .from(learningEventTable)
      .where(and(eq(learningEventTable.type, 'certificate.issued'), eq(learningEventTable.userId, late.id)));
    expect(fact?.actorId).toBe('operator:Olaf Ops');
  });

  test('refuses an operator name that could forge log lines, and issues nothing', async () => {
    const before = await count();
    const io = capture();
    expect(await runCertificatesCommand(['issue', '--tenant', tenant.slug, '--operator', 'Olaf\nsystem:root'], io, ctx())).toBe(2);
    expect(io.lines.join('\n')).toContain('Bitte einen Namen');
    expect(await count()).toBe(before);
  });
});

describe('kiko certificates rotate-key', () => {
  test('records the rotation with the key ids and the actor, and certificates signed before stay genuine', async () => {
    const dir = join(t.dir, 'pdf');
    const file = join(dir, readdirSync(dir)[2] ?? '');
    const io = capture();
    expect(await runCertificatesCommand(['rotate-key', '--tenant', tenant.slug, '--operator', 'Olaf Ops'], io, ctx())).toBe(0);
    const [rotation] = await auditActors('certificate.key-rotated');
    const data = rotation?.data as { keyId: string; retiredKeyIds: string[]; keyIds: string[] };
    expect(rotation?.actorId).toBe('operator:Olaf Ops');
    expect(io.lines[0]).toContain(`Neuer Signaturschlüssel ${data.keyId} für „${tenant.slug}“ aktiv; 1 ältere Schlüssel`);
    expect(data.retiredKeyIds).toHaveLength(1);
    expect(data.keyIds).toEqual([...data.retiredKeyIds, data.keyId]);
    const [oldCert] = await t.db
      .select()
      .from(certificateTable)
      .where(eq(certificateTable.id, file.slice(-14, -4)));
    expect(oldCert?.keyId).toBe(data.retiredKeyIds[0]);
    expect(await runCertificatesCommand(['verify', file], capture(), ctx())).toBe(0);

    expect(await runCertificatesCommand(['rotate-key', '--tenant', tenant.slug], capture(), ctx())).toBe(0);
    const actors = (await auditActors('certificate.key-rotated')).map((e) => e.actorId);
    expect(actors).toEqual(['operator:Olaf Ops', 'system:kiko-cli']);
    // the rotation entries are part of the district's chain, which still verifies
    expect(await verifyAuditChain(t.db, tenant.id)).toMatchObject({ ok: true, firstBroken: null });
  });

  test('returns exit code 1 for an unknown district and writes no audit entry', async () => {
    const before = (await auditActors('certificate.key-rotated')).length;
    const io = capture();
    expect(await runCertificatesCommand(['rotate-key', '--tenant', 'gibt-es-nicht'], io, ctx())).toBe(1);
    expect(io.lines.join('\n')).toContain('Einen Landkreis „gibt-es-nicht“ gibt es nicht.');
    expect(await auditActors('certificate.key-rotated')).toHaveLength(before);
  });
});
