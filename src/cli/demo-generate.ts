/**
 * `kiko demo generate --tenant bench --staff 50000 --org-units 200 --progress-rows 1000000`: a large synthetic
 * district for load tests, written through the learning record (src/lib/server/demo/generate-district.ts).
 */
import cliProgress from 'cli-progress';
import { openDb } from '../../db/client.ts';
import { getEnv } from '../lib/server/config/env.ts';
import {
  BENCH_PASSWORD,
  benchEmail,
  type GenerateOptions,
  type GenerateResult,
  generateTenant,
  type ProgressFn,
  TenantExistsError,
} from '../lib/server/demo/generate-district.ts';
import { ValidationError } from '../lib/server/errors/domain-errors.ts';
import { prepareDatabase } from '../lib/server/evidence/prepare-database.ts';
import { type CliIo, parseFlags, UsageError } from './io.ts';

const USAGE =
  'kiko demo generate --tenant KÜRZEL [--staff 1000] [--org-units 20] [--progress-rows N] [--completion-share 0.2] [--replace] [--seed TEXT] [--batch-rows 5000] [--allow-production] [--json]';

function intFlag(value: string | boolean | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(String(value).replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} braucht eine ganze Zahl ≥ 0.\n${USAGE}`);
  return n;
}

/** A progress display: a bar on a terminal, otherwise one line per phase and tenth. */
function progressReporter(io: CliIo): { update: ProgressFn; stop(): void } {
  if (process.stderr.isTTY) {
    const bars = new cliProgress.MultiBar(
      { format: ' {phase} [{bar}] {percentage}% | {value}/{total}', hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    const byPhase = new Map<string, cliProgress.SingleBar>();
    return {
      update(phase, done, total) {
        let bar = byPhase.get(phase);
        if (!bar) {
          bar = bars.create(total, 0, { phase: phase.padEnd(24) });
          byPhase.set(phase, bar);
        }
        bar.update(done, { phase: phase.padEnd(24) });
      },
      stop: () => bars.stop(),
    };
  }
  const lastTenth = new Map<string, number>();
  return {
    update(phase, done, total) {
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      if ((lastTenth.get(phase) ?? -1) >= tenth) return;
      lastTenth.set(phase, tenth);
      io.out(`${phase}: ${done.toLocaleString('de-DE')} von ${total.toLocaleString('de-DE')} (${tenth * 10} %)`);
    },
    stop: () => {},
  };
}

export async function generateCommand(args: string[], io: CliIo): Promise<number> {
  const f = parseFlags(args, {
    tenant: 'string',
    staff: 'string',
    'org-units': 'string',
    'progress-rows': 'string',
    'completion-share': 'string',
    replace: 'boolean',
    seed: 'string',
    'batch-rows': 'string',
    'allow-production': 'boolean',
    json: 'boolean',
  });
  if (!f.tenant || typeof f.tenant !== 'string') throw new UsageError(`--tenant fehlt.\n${USAGE}`);
  const staff = intFlag(f.staff, 'staff', 1000);
  const options: GenerateOptions = {
    tenant: f.tenant,
    staff,
    orgUnits: intFlag(f['org-units'], 'org-units', 20),
    progressRows: intFlag(f['progress-rows'], 'progress-rows', staff * 10),
    completionShare: f['completion-share'] === undefined ? undefined : Number(f['completion-share']),
    replace: f.replace === true,
    seed: typeof f.seed === 'string' ? f.seed : undefined,
    batchRows: f['batch-rows'] === undefined ? undefined : intFlag(f['batch-rows'], 'batch-rows', 5000),
  };
  if (options.completionShare !== undefined && !(options.completionShare >= 0 && options.completionShare <= 1))
    throw new UsageError('--completion-share liegt zwischen 0 und 1.');
  const env = getEnv();
  if (env.NODE_ENV === 'production' && f['allow-production'] !== true) {
    io.err(
      `Abgebrochen: NODE_ENV=production. Die erzeugten Konten haben alle das öffentlich bekannte Passwort "${BENCH_PASSWORD}". Nur für Lasttest-Datenbanken; wenn das eine ist: --allow-production.`,
    );
    return 1;
  }
  const { db, client, close } = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  const progress = f.json ? { update: () => {}, stop: () => {} } : progressReporter(io);
  try {
    await prepareDatabase(db);
    let r: GenerateResult;
    try {
      r = await generateTenant(client, options, progress.update);
    } catch (e) {
      if (e instanceof ValidationError) throw new UsageError(e.message);
      throw e;
    }
    progress.stop();
    if (f.json) {
      io.out(JSON.stringify(r));
      return 0;
    }
    const n = (x: number): string => x.toLocaleString('de-DE');
    io.out(
      `Landkreis "${options.tenant}"${r.replacedHow === 'retired' ? ' (der alte ist stillgelegt und umbenannt)' : r.replaced ? ' (ersetzt)' : ''}: ${n(r.orgUnits)} Organisationseinheiten, ${n(r.users)} Konten, ${n(r.progressRows)} Lernstände, ` +
        `${n(r.quizAttempts)} Quizversuche, ${n(r.courseCompletions)} Kursabschlüsse, ${n(r.pathAssignments)} Lernpfad-Zuweisungen, ${n(r.facts)} Einträge im Lernprotokoll seit ${new Date(r.recordStartedAt).toLocaleDateString('de-DE')} in ${(r.ms / 1000).toFixed(1)} s (höchstens ${r.peakRssMb} MB RSS).`,
    );
    io.out(
      `Anmeldung z. B. ${benchEmail(options.tenant, 0)} (Administration) oder ${benchEmail(options.tenant, 1)}, Passwort für alle: ${BENCH_PASSWORD}`,
    );
    return 0;
  } catch (e) {
    progress.stop();
    if (e instanceof TenantExistsError) {
      io.err(`Fehler: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    close();
  }
}
