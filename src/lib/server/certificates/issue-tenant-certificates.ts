/**
 * Batch issue for a whole district (`kiko certificates issue`, `certificate.manage`): everyone in the actor's scope
 * who has earned a certificate and has none yet gets it (same rule as on completion, see
 * issue-earned-certificates.ts), one transaction per person, so an interrupted run leaves only complete records and
 * a rerun continues where it stopped without duplicates.
 * With `pdfDir` the PDFs of all valid certificates of those people are (re)written there as `<id>.pdf`;
 * existing files are kept, each file appears atomically (temporary name, then rename). The district is the actor's
 * (the CLI acts as a named system or operator actor of one district), and every issue's record fact and audit entry
 * name that actor.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { certificateTable, tenantTable, userTable } from '../../../../db/schema/index.ts';
import { authorize } from '../authz/authorize.ts';
import { type Ctx, actorId as idOf } from '../context.ts';
import { NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import type { Learner } from '../learning/learner.ts';
import { resolvePath } from '../learning/resolve-path.ts';
import { type CertificateConfig, publicBase, verifyUrlFor } from './certificate-config.ts';
import { brandOf, storedPayload } from './certificate-records.ts';
import { issueEarnedCertificates } from './issue-earned-certificates.ts';
import { sealCertificatePdf } from './pdf-seal.ts';
import { renderCertificatePdf } from './render-pdf.ts';
import { verifyPayload } from './signing-keys.ts';
import { requireTenantKeyRing } from './tenant-key-ring.ts';

/** Progress of a batch: phase `issue` counts people, phase `pdf` certificates. */
export interface BatchProgress {
  phase: 'issue' | 'pdf';
  done: number;
  total: number;
  issued: number;
  written: number;
}

/** Options of issueTenantCertificates. */
export interface BatchOptions {
  /** Only people whose learning path is this one. */
  pathId?: string;
  /** Folder for PDF files; none: issue only. Needs a public URL (KIKO_PUBLIC_URL) for the QR codes. */
  pdfDir?: string;
  config: CertificateConfig;
  onProgress?: (progress: BatchProgress) => void;
}

/** Summary of a batch run. */
export interface BatchResult {
  people: number;
  issued: number;
  pdfsWritten: number;
  pdfsKept: number;
}

/** Runs the batch (see the module comment). Throws NotFound for an unknown tenant, Validation for an unknown path. */
export async function issueTenantCertificates(ctx: Ctx, options: BatchOptions): Promise<BatchResult> {
  const scope = await authorize(ctx, 'certificate.manage');
  const { db, content } = ctx;
  const { config, onProgress } = options;
  const now = ctx.clock();
  const actorId = idOf(ctx.actor);
  const [tenant] = await db
    .select()
    .from(tenantTable)
    .where(eq(tenantTable.id, scope.tenantId as string));
  if (!tenant) throw new NotFoundError('Diesen Landkreis gibt es nicht.');
  if (options.pathId && !content.paths.has(options.pathId)) throw new ValidationError(`Einen Lernpfad „${options.pathId}“ gibt es nicht.`);
  if (options.pdfDir && !config.publicUrl)
    throw new ValidationError('Für PDF-Dateien bitte KIKO_PUBLIC_URL setzen (Adresse für QR-Code und Prüflink).');
  const ring = requireTenantKeyRing(config.keyDir, tenant.slug);
  const users = await db
    .select({ userId: userTable.id, tenantId: userTable.tenantId, jobRole: userTable.jobRole, orgUnitId: userTable.orgUnitId })
    .from(userTable)
    // a grant limited to an org unit issues for that subtree only
    .where(and(eq(userTable.tenantId, tenant.id), scope.orgUnitIds ? inArray(userTable.orgUnitId, [...scope.orgUnitIds]) : undefined))
    .orderBy(asc(userTable.id));
  const result: BatchResult = { people: 0, issued: 0, pdfsWritten: 0, pdfsKept: 0 };
  const people: string[] = [];
  const progress = (phase: BatchProgress['phase'], done: number, total: number): void =>
    onProgress?.({ phase, done, total, issued: result.issued, written: result.pdfsWritten });
  for (const [index, user] of users.entries()) {
    const learner: Learner = { userId: user.userId, tenantId: tenant.id, jobRole: user.jobRole, orgUnitId: user.orgUnitId };
    if (!options.pathId || (await resolvePath(db, learner, content))?.path.id === options.pathId) {
      const issued = await db.transaction((tx) => issueEarnedCertificates(tx, learner, content, ring, { now, actorId }));
      result.issued += issued.length;
      people.push(user.userId);
    }
    progress('issue', index + 1, users.length);
  }
  result.people = people.length;
  if (!options.pdfDir) return result;

  mkdirSync(options.pdfDir, { recursive: true });
  const brand = brandOf(tenant);
  const base = publicBase(config);
  const valid = [];
  // chunks keep the IN lists far below SQLite's variable limit
  for (let i = 0; i < people.length; i += 500) {
    valid.push(
      ...(await db
        .select()
        .from(certificateTable)
        .where(
          and(
            eq(certificateTable.tenantId, tenant.id),
            inArray(certificateTable.userId, people.slice(i, i + 500)),
            isNull(certificateTable.revokedAt),
          ),
        )
        .orderBy(asc(certificateTable.id))),
    );
  }
  for (const [index, row] of valid.entries()) {
    const file = join(options.pdfDir, `${row.id}.pdf`);
    const payload = storedPayload(row);
    if (existsSync(file)) result.pdfsKept++;
    // like a download: a row whose signature does not verify is never rendered as a certificate
    else if (payload && verifyPayload(payload, row.signature, ring)) {
      const pdf = await renderCertificatePdf({ payload, signature: row.signature, verifyUrl: verifyUrlFor(base, row.id), brand });
      writeFileSync(`${file}.tmp`, sealCertificatePdf(pdf, ring));
      renameSync(`${file}.tmp`, file);
      result.pdfsWritten++;
    }
    progress('pdf', index + 1, valid.length);
  }
  return result;
}
