/**
 * `kiko users import --tenant T FILE [--dry-run] [--deactivate-missing] [--operator NAME]`: the staff import of the
 * admin page (src/lib/server/users/import/), for files of any size. Thin: parses flags, calls the verb, prints German
 * output with a progress bar on a terminal.
 * Exit codes: 0 applied (or dry run without errors), 1 refused or errors in the file (nothing applied), 2 wrong call.
 */
import { readFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { openDb } from '../../db/client.ts';
import { getEnv } from '../lib/server/config/env.ts';
import { DomainError, ValidationError } from '../lib/server/errors/domain-errors.ts';
import { prepareDatabase } from '../lib/server/evidence/prepare-database.ts';
import { getContent } from '../lib/server/learning/content-registry.ts';
import { tenantContext } from '../lib/server/tenancy/tenant-context.ts';
import { applyImport, previewImport } from '../lib/server/users/import/import-people.ts';
import type { ImportPlan } from '../lib/server/users/import/plan-import.ts';
import { type CliIo, parseFlags, UsageError } from './io.ts';

const USAGE = `kiko users import --tenant KÜRZEL DATEI [--dry-run] [--deactivate-missing] [--operator NAME]
      Beschäftigte aus einer CSV-Datei (UTF-8 oder Windows-1252, Trennzeichen ; oder ,) übernehmen;
      --dry-run zeigt nur, was sich ändern würde; --deactivate-missing deaktiviert Personen, die nicht in der Datei stehen
  Exit-Code: 0 übernommen (oder Probelauf ohne Fehler), 1 Fehler in der Datei (nichts übernommen), 2 Aufruffehler`;

/** Row errors printed before "… und N weitere". */
const MAX_ERRORS_SHOWN = 50;

export default async function usersCommand(args: string[], io: CliIo, opts: { tty?: boolean } = {}): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'import') throw new UsageError(USAGE);
  const f = parseFlags(rest, { tenant: 'string', 'dry-run': 'boolean', 'deactivate-missing': 'boolean', operator: 'string' });
  const [path, ...extra] = f._;
  if (!f.tenant || !path || extra.length > 0) throw new UsageError(`--tenant und genau eine DATEI sind Pflicht.\n${USAGE}`);
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch {
    io.err(`Fehler: Die Datei ${path} lässt sich nicht lesen.`);
    return 2;
  }
  const env = getEnv();
  const { db, close } = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  const tty = opts.tty ?? Boolean(process.stderr.isTTY);
  const bar = tty ? new SingleBar({ format: '{phase} [{bar}] {value}/{total}', hideCursor: true }, undefined) : null;
  let started = false;
  try {
    await prepareDatabase(db);
    const ctx = await tenantContext(db, getContent(), {
      tenantSlug: String(f.tenant),
      ...(f.operator ? { operator: String(f.operator) } : {}),
    });
    const deactivateMissing = Boolean(f['deactivate-missing']);
    // the dry run prints the plan; the apply prints the plan it computed itself (one plan in memory, not two)
    let refused = false;
    const shown = (plan: ImportPlan): void => {
      printPlan(io, plan);
      refused = plan.missing.length > 0 || plan.errors.length > 0;
      if (refused)
        io.err(
          `Fehler: ${plan.errors.length} Fehler in der Datei${plan.missing.length ? `, es fehlt: ${plan.missing.join(', ')}` : ''}. Es wurde nichts übernommen.`,
        );
    };
    if (f['dry-run']) {
      shown(await previewImport(ctx, { file, deactivateMissing }));
      if (refused) return 1;
      io.out('Probelauf: Es wurde nichts geändert.');
      return 0;
    }
    let result: Awaited<ReturnType<typeof applyImport>>;
    try {
      result = await applyImport(ctx, {
        file,
        deactivateMissing,
        onPlan: shown,
        onProgress: (phase, done, total) => {
          if (!bar) return;
          if (!started) {
            bar.start(total, 0, { phase });
            started = true;
          }
          bar.update(done, { phase });
        },
      });
    } catch (e) {
      if (refused && e instanceof ValidationError) return 1;
      throw e;
    }
    bar?.stop();
    started = false;
    io.out(
      result.created + result.changed + result.deactivated === 0
        ? 'Übernommen: keine Änderungen (die Datei entspricht dem Stand in KIKO).'
        : `Übernommen: ${result.created} neu, ${result.changed} geändert, ${result.deactivated} deaktiviert, ${result.unchanged} unverändert.`,
    );
    if (result.skipped.length > 0) {
      io.out(`Übersprungen: ${result.skipped.length} (in KIKO nach dem Probelauf geändert; die neuere Änderung gilt).`);
      for (const s of result.skipped.slice(0, 20)) io.out(`  ${s.line === null ? 'Deaktivierung' : `Zeile ${s.line}`}: ${s.reason}`);
    }
    return 0;
  } catch (e) {
    if (started) bar?.stop();
    if (e instanceof DomainError) {
      io.err(`Fehler: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    close();
  }
}

function printPlan(io: CliIo, plan: ImportPlan): void {
  io.out(`Datei: ${plan.rowCount} Zeilen, Zeichensatz ${plan.encoding}, Trennzeichen „${plan.delimiter}“`);
  const unknown = plan.columns.filter((c) => c.how === 'unknown').map((c) => c.header);
  if (unknown.length > 0)
    io.out(`Nicht zugeordnete Spalten (werden nicht übernommen; Zuordnung auf der Seite Verwaltung › Import): ${unknown.join(', ')}`);
  io.out(
    `Neu: ${plan.created.length} · geändert: ${plan.changed.length} · zu deaktivieren: ${plan.deactivate.length} · unverändert: ${plan.unchanged} · Fehler: ${plan.errors.length}`,
  );
  for (const e of plan.errors.slice(0, MAX_ERRORS_SHOWN)) io.err(`Zeile ${e.line}: ${e.message}`);
  if (plan.errors.length > MAX_ERRORS_SHOWN) io.err(`… und ${plan.errors.length - MAX_ERRORS_SHOWN} weitere Fehler.`);
}
