/**
 * Certificate performance: `npx node bench/certificates.ts [--pdfs 60] [--batch 1000]`
 *
 * 1. Median (and p95) milliseconds per certificate PDF as a learner downloads it: render + whole-file seal,
 *    for a realistic learning-path certificate (5 courses, 20 topics, umlauts, logo, signatory).
 * 2. Throughput of `kiko certificates issue --pdf`: a fresh database with one district of N people who each
 *    completed a course (recorded before certificates existed), then the batch issues N certificates and writes
 *    N sealed PDFs. Prints the issue phase and the PDF phase separately.
 * Targets (2-core machine): ≤ 100 ms per PDF, 1,000 certificates in < 2 minutes.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openDb } from '../db/client.ts';
import { courseCompletionTable, userRoleTable, userTable } from '../db/schema/index.ts';
import { pathAchievement } from '../src/lib/server/certificates/certificate-achievements.ts';
import { newCertificateId } from '../src/lib/server/certificates/certificate-payload.ts';
import { issueTenantCertificates } from '../src/lib/server/certificates/issue-tenant-certificates.ts';
import { sealCertificatePdf } from '../src/lib/server/certificates/pdf-seal.ts';
import { renderCertificatePdf } from '../src/lib/server/certificates/render-pdf.ts';
import { loadOrCreateKeyRing, signPayload } from '../src/lib/server/certificates/signing-keys.ts';
import { loadContent } from '../src/lib/server/content/load-content.ts';
import { prepareDatabase } from '../src/lib/server/evidence/prepare-database.ts';
import { ensureTenant } from '../src/lib/server/tenancy/create-tenant.ts';
import { tenantContext } from '../src/lib/server/tenancy/tenant-context.ts';

const { values: flags } = parseArgs({ options: { pdfs: { type: 'string', default: '60' }, batch: { type: 'string', default: '1000' } } });
const root = resolve(import.meta.dirname, '..');
const content = loadContent({ root });
const work = mkdtempSync(join(tmpdir(), 'kiko-bench-cert-'));

const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><rect width="40" height="40" rx="6" fill="#1f4e79"/><circle cx="80" cy="20" r="18" fill="#f59e0b"/></svg>';

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function pdfTimes(n: number): Promise<{ first: number; median: number; p95: number }> {
  const ring = loadOrCreateKeyRing({ dir: join(work, 'keys-pdf') });
  const path = content.paths.get('sachbearbeitung');
  if (!path) throw new Error('Lernpfad sachbearbeitung fehlt');
  const achievement = pathAchievement(content, path, new Map(path.required.map((id) => [id, content.courses.get(id)?.version ?? 'v1'])));
  if (!achievement) throw new Error('Lernpfad unvollständig');
  const times: number[] = [];
  for (let i = 0; i <= n; i++) {
    const id = newCertificateId();
    const payload = {
      id,
      tenant: { slug: 'musterstadt', name: 'Landkreis Musterstadt' },
      holder: { name: i % 2 ? 'Małgorzata Müller-Weiß' : 'Jörg Öztürk-Schäfer' },
      kind: 'path' as const,
      achievement,
      issuedAt: '2026-11-02T09:30:00.000Z',
      expiresAt: '2028-11-02T09:30:00.000Z',
      keyId: ring.active.id,
    };
    const start = performance.now();
    const pdf = await renderCertificatePdf({
      payload,
      signature: signPayload(payload, ring),
      verifyUrl: `https://kiko.musterstadt.example/zertifikat-pruefen/${id}`,
      brand: { districtName: 'Landkreis Musterstadt', color: '#1f4e79', logoSvg: LOGO, signatory: 'Dr. Erika Beispiel, Landrätin' },
    });
    sealCertificatePdf(pdf, ring);
    times.push(performance.now() - start);
  }
  const [first = 0, ...rest] = times; // the first one loads fonts and wasm
  return { first, median: quantile(rest, 0.5), p95: quantile(rest, 0.95) };
}

async function batch(
  n: number,
): Promise<{ issueSeconds: number; pdfSeconds: number; totalSeconds: number; issued: number; files: number }> {
  const { db, close } = await openDb({ url: `file:${join(work, 'bench.db')}` });
  try {
    await prepareDatabase(db);
    const tenant = await ensureTenant(db, {
      slug: 'bench',
      name: 'Landkreis Bench',
      settings: { logoSvg: LOGO, signatory: 'Der Landrat' },
    });
    const completedAt = new Date(Date.now() - 30 * 86_400_000);
    const version = content.courses.get('ki-kompetenz-basis')?.version ?? 'v1';
    for (let i = 0; i < n; i += 500) {
      const users = Array.from({ length: Math.min(500, n - i) }, (_, j) => ({
        id: randomUUID(),
        tenantId: tenant.id,
        email: `person-${i + j}@bench.example`,
        name: `Person ${i + j} Müller-Łukasiewicz`,
        jobRole: 'sachbearbeitung',
        createdAt: completedAt,
      }));
      await db.insert(userTable).values(users);
      await db.insert(userRoleTable).values(users.map((u) => ({ userId: u.id, role: 'learner' as const })));
      await db.insert(courseCompletionTable).values(
        users.map((u) => ({
          id: randomUUID(),
          tenantId: tenant.id,
          userId: u.id,
          courseId: 'ki-kompetenz-basis',
          courseVersion: version,
          completedAt,
        })),
      );
    }
    const pdfDir = join(work, 'pdf');
    let issueEnd = 0;
    const start = performance.now();
    const ctx = await tenantContext(db, content, { tenantSlug: 'bench', operator: 'bench' });
    const r = await issueTenantCertificates(ctx, {
      pdfDir,
      config: { keyDir: join(work, 'keys'), publicUrl: 'https://kiko.bench.example' },
      onProgress: (p) => {
        if (p.phase === 'issue' && p.done === p.total) issueEnd = performance.now();
      },
    });
    const end = performance.now();
    return {
      issueSeconds: (issueEnd - start) / 1000,
      pdfSeconds: (end - issueEnd) / 1000,
      totalSeconds: (end - start) / 1000,
      issued: r.issued,
      files: readdirSync(pdfDir).length,
    };
  } finally {
    close();
  }
}

try {
  const pdf = await pdfTimes(Number(flags.pdfs));
  console.log(`PDF (Lernpfad-Zertifikat, rendern + versiegeln), ${flags.pdfs} Stück:`);
  console.log(
    `  erstes ${pdf.first.toFixed(0)} ms (lädt Schriften), Median ${pdf.median.toFixed(1)} ms, p95 ${pdf.p95.toFixed(1)} ms   [Ziel ≤ 100 ms]`,
  );
  const b = await batch(Number(flags.batch));
  console.log(`Stapel „kiko certificates issue --pdf“ für ${flags.batch} Personen:`);
  console.log(
    `  ${b.issued} Zertifikate ausgestellt in ${b.issueSeconds.toFixed(1)} s, ${b.files} PDF-Dateien in ${b.pdfSeconds.toFixed(1)} s`,
  );
  console.log(
    `  gesamt ${b.totalSeconds.toFixed(1)} s = ${(b.issued / b.totalSeconds).toFixed(1)} Zertifikate/s   [Ziel: 1.000 in < 120 s]`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
