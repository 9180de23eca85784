/**
 * Staff files uploaded on the admin page, kept between the preview and applying them (import_uploads), so the
 * browser sends a file once. Only the person who uploaded a file sees it; it is deleted when applied or discarded,
 * and files older than a day are removed at the next upload of the district.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import { z } from 'zod';
import { importUploadTable } from '../../../../../db/schema/index.ts';
import { authorize } from '../../authz/authorize.ts';
import { actorId, type Ctx } from '../../context.ts';
import { NotFoundError, ValidationError } from '../../errors/domain-errors.ts';
import { MAX_BODY_BYTES } from '../../http/body-limit.ts';
import { applyImport, type ImportResult, previewImport } from './import-people.ts';
import type { ImportPlan } from './plan-import.ts';

/** How long an uploaded file waits for its apply. */
export const UPLOAD_RETENTION_MS = 24 * 60 * 60_000;

const stageSchema = z.object({
  fileName: z.string().trim().min(1).max(200),
  content: z.instanceof(Buffer),
});

export interface StagedUpload {
  id: string;
  fileName: string;
  content: Buffer;
  createdAt: Date;
}

export async function stageImportUpload(ctx: Ctx, input: { fileName: string; content: Buffer }): Promise<{ id: string }> {
  const scope = await authorize(ctx, 'tenant.admin');
  const parsed = stageSchema.safeParse(input);
  if (!parsed.success || parsed.data.content.length === 0)
    throw new ValidationError('Bitte eine CSV-Datei wählen (sie darf nicht leer sein).', { datei: 'Bitte eine CSV-Datei wählen.' });
  if (parsed.data.content.length > MAX_BODY_BYTES)
    throw new ValidationError('Die Datei ist größer als 2 MB. Größere Dateien importieren Sie über die Kommandozeile (kiko users import).');
  const tenantId = scope.tenantId as string;
  const now = ctx.clock();
  const id = randomUUID();
  await ctx.db.transaction(async (tx) => {
    await tx
      .delete(importUploadTable)
      .where(and(eq(importUploadTable.tenantId, tenantId), lt(importUploadTable.createdAt, new Date(now.getTime() - UPLOAD_RETENTION_MS))));
    await tx.insert(importUploadTable).values({
      id,
      tenantId,
      uploadedBy: actorId(ctx.actor),
      fileName: parsed.data.fileName,
      content: parsed.data.content,
      createdAt: now,
    });
  });
  return { id };
}

export async function getImportUpload(ctx: Ctx, id: string): Promise<StagedUpload> {
  const scope = await authorize(ctx, 'tenant.admin');
  const [row] = await ctx.db
    .select()
    .from(importUploadTable)
    .where(
      and(
        eq(importUploadTable.id, String(id).slice(0, 100)),
        eq(importUploadTable.tenantId, scope.tenantId as string),
        eq(importUploadTable.uploadedBy, actorId(ctx.actor)),
      ),
    );
  if (!row || row.createdAt.getTime() < ctx.clock().getTime() - UPLOAD_RETENTION_MS)
    throw new NotFoundError('Diese hochgeladene Datei gibt es nicht (mehr). Bitte laden Sie sie erneut hoch.');
  return { id: row.id, fileName: row.fileName, content: Buffer.from(row.content), createdAt: row.createdAt };
}

export async function discardImportUpload(ctx: Ctx, id: string): Promise<void> {
  await authorize(ctx, 'tenant.admin');
  const upload = await getImportUpload(ctx, id);
  await ctx.db.delete(importUploadTable).where(eq(importUploadTable.id, upload.id));
}

/** Applies an uploaded file (all or nothing) and deletes it once applied. */
export async function applyImportUpload(ctx: Ctx, input: { uploadId: string; deactivateMissing?: boolean }): Promise<ImportResult> {
  await authorize(ctx, 'tenant.admin');
  const upload = await getImportUpload(ctx, input.uploadId);
  const result = await applyImport(ctx, { file: upload.content, deactivateMissing: input.deactivateMissing ?? false });
  await ctx.db.delete(importUploadTable).where(eq(importUploadTable.id, upload.id));
  return result;
}

/** The dry run of an uploaded file (writes nothing). */
export async function previewImportUpload(
  ctx: Ctx,
  input: { uploadId: string; deactivateMissing?: boolean },
): Promise<{ upload: Omit<StagedUpload, 'content'>; plan: ImportPlan }> {
  await authorize(ctx, 'tenant.admin');
  const upload = await getImportUpload(ctx, input.uploadId);
  const plan = await previewImport(ctx, { file: upload.content, deactivateMissing: input.deactivateMissing ?? false });
  return { upload: { id: upload.id, fileName: upload.fileName, createdAt: upload.createdAt }, plan };
}
