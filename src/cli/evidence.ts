/**
 * `kiko evidence export …`: the Art. 4 evidence of a district as a file (CSV for German Excel, RFC 4180 CSV, XLSX,
 * JSON), as of a day and a recording cut-off, filtered by org unit, job role and status. Thin: parses flags, calls one
 * lib verb (exportEvidenceFile: written to a temporary file, renamed when complete, recorded in the audit log),
 * prints German output. Acts in the district as "system:kiko-cli", or as the operator named with --operator.
 * Exit codes: 0 written, 1 refused (unknown district or org unit), 2 wrong call (flags, dates).
 */
import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { type Db, openDb } from '../../db/client.ts';
import { getEnv } from '../lib/server/config/env.ts';
import type { ContentSet } from '../lib/server/content/load-content.ts';
import { DomainError, NotFoundError } from '../lib/server/errors/domain-errors.ts';
import { prepareDatabase } from '../lib/server/evidence/prepare-database.ts';
import { coverageClasses } from '../lib/server/hr/coverage.ts';
import { resolveEvidenceDates } from '../lib/server/hr/evidence-dates.ts';
import { exportEvidenceFile } from '../lib/server/hr/export-evidence-file.ts';
import { evidenceFormats } from '../lib/server/hr/prepare-evidence-export.ts';
import { getContent } from '../lib/server/learning/content-registry.ts';
import { tenantContext } from '../lib/server/tenancy/tenant-context.ts';
import { jobRoles } from '../lib/shared/content-schema.ts';
import { formatDateTime } from '../lib/shared/format.ts';
import { type CliIo, parseFlags, processIo, UsageError } from './io.ts';

const USAGE = `kiko evidence export --tenant KÜRZEL --format csv|csv-excel|xlsx|json|pdf --out DATEI
      [--as-of DATUM] [--recorded-by DATUM[T]HH:MM] [--org-unit ID] [--job-role PROFIL] [--status STATUS] [--operator NAME]
      Nachweis der KI-Kompetenz (Art. 4 KI-VO) als Datei: Stand am DATUM (Ende des Tages; ohne: jetzt),
      erfasst bis (ohne: jetzt), gefiltert nach Organisationseinheit (mit Untereinheiten), Tätigkeitsprofil
      (${jobRoles.filter((r) => r !== 'alle').join(', ')}) und Status (${coverageClasses.join(', ')}).
      Datum als 2026-06-30 oder 30.06.2026. Die Datei erscheint erst, wenn sie vollständig geschrieben ist.
  --operator NAME: wer den Befehl ausführt, steht so im Audit-Protokoll (ohne: system:kiko-cli)
  Exit-Code: 0 geschrieben, 1 abgelehnt, 2 Aufruffehler`;

/** What the command works with; tests pass their own. */
export interface EvidenceCliContext {
  db: Db;
  content: () => ContentSet;
  tty: boolean;
  clock?: () => Date;
}

function bar(tty: boolean): { update: (done: number, total: number) => void; stop: () => void } {
  if (!tty) return { update: () => {}, stop: () => {} };
  const b = new SingleBar({ format: 'Schreibe Nachweis [{bar}] {value}/{total} Datensätze', hideCursor: true });
  let started = false;
  return {
    update: (done, total) => {
      if (!started) {
        b.start(total, 0);
        started = true;
      }
      b.update(done);
    },
    stop: () => {
      if (started) b.stop();
      started = false;
    },
  };
}

async function exportCommand(rest: string[], ctx: EvidenceCliContext, io: CliIo): Promise<number> {
  const f = parseFlags(rest, {
    tenant: 'string',
    format: 'string',
    'as-of': 'string',
    'recorded-by': 'string',
    'org-unit': 'string',
    'job-role': 'string',
    status: 'string',
    out: 'string',
    operator: 'string',
  });
  if (!f.tenant) throw new UsageError(`--tenant ist Pflicht.\n${USAGE}`);
  if (!f.out) throw new UsageError(`--out ist Pflicht.\n${USAGE}`);
  const format = String(f.format ?? '');
  if (!(evidenceFormats as readonly string[]).includes(format))
    throw new UsageError(`--format muss eines von ${evidenceFormats.join(', ')} sein.\n${USAGE}`);
  const jobRole = f['job-role'] ? String(f['job-role']) : null;
  if (jobRole && !(jobRoles as readonly string[]).includes(jobRole))
    throw new UsageError(`Das Tätigkeitsprofil „${jobRole}“ gibt es nicht (${jobRoles.join(', ')}).`);
  const status = f.status ? String(f.status) : null;
  if (status && !(coverageClasses as readonly string[]).includes(status))
    throw new UsageError(`Den Status „${status}“ gibt es nicht (${coverageClasses.join(', ')}).`);
  const district = await tenantContext(ctx.db, ctx.content(), {
    tenantSlug: String(f.tenant),
    ...(f.operator !== undefined ? { operator: String(f.operator) } : {}),
    ...(ctx.clock ? { clock: ctx.clock } : {}),
  });
  const dates = resolveEvidenceDates(
    { asOf: f['as-of'] ? String(f['as-of']) : null, recordedBy: f['recorded-by'] ? String(f['recorded-by']) : null },
    district.clock(),
  );
  const orgUnitId = f['org-unit'] ? String(f['org-unit']) : null;
  const progress = bar(ctx.tty);
  try {
    const r = await exportEvidenceFile(
      district,
      {
        ...dates,
        orgUnitId,
        jobRole,
        status: status as (typeof coverageClasses)[number] | null,
        format: format as (typeof evidenceFormats)[number],
        out: resolve(String(f.out)),
      },
      { onProgress: progress.update },
    );
    progress.stop();
    io.out(`Geschrieben: ${r.people} ${r.people === 1 ? 'Person' : 'Personen'} nach „${r.file}“.`);
    io.out(`  Stand am ${formatDateTime(new Date(r.asOf))}, erfasst bis ${formatDateTime(new Date(r.recordedBy))}.`);
    io.out(`  Fingerabdruck: ${r.fingerprint}`);
    return 0;
  } catch (e) {
    if (e instanceof NotFoundError && orgUnitId)
      throw new NotFoundError(`Die Organisationseinheit „${orgUnitId}“ gibt es im Landkreis „${String(f.tenant)}“ nicht.`);
    throw e;
  } finally {
    progress.stop();
  }
}

/** Runs a `kiko evidence` subcommand with the given context. */
export async function runEvidenceCommand(args: string[], io: CliIo, ctx: EvidenceCliContext): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'export') return await exportCommand(rest, ctx, io);
    throw new UsageError(sub ? `Unbekannter Unterbefehl „${sub}“.\n${USAGE}` : USAGE);
  } catch (e) {
    if (e instanceof DomainError) {
      io.err(`Fehler: ${e.message}`);
      return e.status === 400 ? 2 : 1;
    }
    throw e;
  }
}

export default async function evidenceCommand(args: string[], io: CliIo): Promise<number> {
  if (!args[0] || args[0] === 'help' || args[0] === '--help') {
    io.out(USAGE);
    return args[0] ? 0 : 2;
  }
  const env = getEnv();
  const { db, close } = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  try {
    await prepareDatabase(db);
    return await runEvidenceCommand(args, io, { db, content: getContent, tty: io === processIo && !!process.stdout.isTTY });
  } finally {
    close();
  }
}
