/**
 * An evidence export as a file (the CLI): prepared and authorized by prepareEvidenceExport, written to a temporary
 * file next to the target and renamed only when complete, so the target name never holds a partial export; then
 * recorded in the audit log.
 */

import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import {
  type EvidenceExport,
  type EvidenceExportInput,
  type EvidenceFormat,
  type EvidencePersonRecord,
  prepareEvidenceExport,
  recordEvidenceExport,
} from './prepare-evidence-export.ts';
import { exportFileName, writeEvidenceExport } from './write-evidence-export.ts';

export interface EvidenceFileResult {
  file: string;
  people: number;
  fingerprint: string;
  asOf: string;
  recordedBy: string;
  /** Bytes of the file and the SHA-256 of them (hex). */
  size: number;
  sha256: string;
  /** The name that says what the file holds (exportFileName). */
  downloadName: string;
}

/** The temporary name an export is written under before it is renamed to `out` (hidden, beside it). */
export function temporaryNameOf(out: string): string {
  return join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function exportEvidenceFile(
  ctx: Ctx,
  input: EvidenceExportInput & { format: EvidenceFormat; out: string },
  opts: { onProgress?: (done: number, total: number) => void; onPrepared?: (people: number, total: number) => Promise<void> | void } = {},
): Promise<EvidenceFileResult> {
  await authorize(ctx, 'hr.view', input.orgUnitId ? { orgUnitId: input.orgUnitId } : {});
  const exp = await prepareEvidenceExport(ctx, { ...input, report: input.format === 'pdf' });
  try {
    // XLSX walks the people twice (Personen, Kurse)
    const total = exp.count * (input.format === 'xlsx' ? 2 : 1);
    await opts.onPrepared?.(exp.count, total);
    let done = 0;
    const count = (): void => {
      done++;
      if (done % 500 === 0 || done === total) opts.onProgress?.(done, total);
    };
    const counted: EvidenceExport = {
      ...exp,
      people: function* (): Generator<EvidencePersonRecord> {
        for (const p of exp.people()) {
          yield p;
          count();
        }
      },
      peopleJson: function* (): Generator<string> {
        for (const json of exp.peopleJson()) {
          yield json;
          count();
        }
      },
    };
    const tmp = temporaryNameOf(input.out);
    try {
      const stream = createWriteStream(tmp, { mode: 0o600, flush: true });
      // the temporary file exists before the first person is written (an interruption always finds it to remove)
      await once(stream, 'open');
      await writeEvidenceExport(counted, input.format, stream, { exportedAt: ctx.clock(), exportedBy: actorId(ctx.actor) });
      // flush: true makes the stream fsync before it closes, so the renamed file is complete on disk
      await rename(tmp, input.out);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    opts.onProgress?.(total, total);
  } finally {
    exp.close();
  }
  await recordEvidenceExport(ctx, exp, input.format);
  const [info, sha256] = await Promise.all([stat(input.out), sha256Of(input.out)]);
  return {
    file: input.out,
    people: exp.count,
    fingerprint: exp.fingerprint,
    asOf: exp.head.asOf,
    recordedBy: exp.head.recordedBy,
    size: info.size,
    sha256,
    downloadName: exportFileName(exp, input.format),
  };
}
