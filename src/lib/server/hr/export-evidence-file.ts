/**
 * An evidence export as a file (the CLI): prepared and authorized by prepareEvidenceExport, written to a temporary
 * file next to the target and renamed only when complete, so the target name never holds a partial export; then
 * recorded in the audit log.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import {
  type EvidenceExportInput,
  type EvidenceFormat,
  type EvidencePersonRecord,
  prepareEvidenceExport,
  recordEvidenceExport,
} from './prepare-evidence-export.ts';
import { writeEvidenceExport } from './write-evidence-export.ts';

export interface EvidenceFileResult {
  file: string;
  people: number;
  fingerprint: string;
  asOf: string;
  recordedBy: string;
}

export async function exportEvidenceFile(
  ctx: Ctx,
  input: EvidenceExportInput & { format: EvidenceFormat; out: string },
  opts: { onProgress?: (done: number, total: number) => void } = {},
): Promise<EvidenceFileResult> {
  await authorize(ctx, 'hr.view', input.orgUnitId ? { orgUnitId: input.orgUnitId } : {});
  const exp = await prepareEvidenceExport(ctx, { ...input, report: input.format === 'pdf' });
  // XLSX walks the people twice (Personen, Kurse)
  const total = exp.count * (input.format === 'xlsx' ? 2 : 1);
  let done = 0;
  const counted = {
    ...exp,
    people: function* (): Generator<EvidencePersonRecord> {
      for (const p of exp.people()) {
        yield p;
        done++;
        if (done % 500 === 0 || done === total) opts.onProgress?.(done, total);
      }
    },
  };
  const tmp = join(dirname(input.out), `.${basename(input.out)}.${process.pid}.tmp`);
  try {
    const stream = createWriteStream(tmp, { mode: 0o600, flush: true });
    await writeEvidenceExport(counted, input.format, stream, { exportedAt: ctx.clock(), exportedBy: actorId(ctx.actor) });
    await rename(tmp, input.out);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  opts.onProgress?.(total, total);
  await recordEvidenceExport(ctx, exp, input.format);
  return { file: input.out, people: exp.count, fingerprint: exp.fingerprint, asOf: exp.head.asOf, recordedBy: exp.head.recordedBy };
}
