/**
 * The scheduled jobs of a running KIKO server: the evidence exports HR started (every 2 s; decision 018), the mail
 * delivery (every KIKO_MAIL_INTERVAL_SECONDS when an SMTP server is configured) and the retention job (daily: erases
 * the accounts that districts with a retention setting keep deactivated longer than they allow, users/retention.ts) and
 * the staff-import job (rolls interrupted imports forward, at the start and every 30 s) and the coverage-months job (stores
 * the past month ends of HR's trend, at the start and every 10 minutes). `kiko serve` starts them once per server (the cluster's primary, or the single
 * process); the leases keep each job in one process also when several servers share the database.
 */

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Db } from '../../../../db/client.ts';
import type { Env } from '../config/env.ts';
import type { ContentSet } from '../content/load-content.ts';
import { systemContext } from '../context.ts';
import { deliverQueuedMail } from '../mail/deliver-mail.ts';
import { mailDelivery } from '../mail/mail-config.ts';
import { districtsWithRetention, runRetention } from '../users/retention.ts';
import { createJobRunner, type Job, type JobRunner } from './job-runner.ts';

/** How often the retention job runs. */
export const RETENTION_INTERVAL_MS = 24 * 60 * 60_000;

/**
 * The retention job: one run over every active district with retention switched on, each as the system actor
 * "system:retention" of that district. A district that fails is logged and retried at the next run; the others go on.
 */
export function retentionJob(db: Db, content: () => ContentSet, log: (line: string) => void, intervalMs = RETENTION_INTERVAL_MS): Job {
  return {
    name: 'retention',
    intervalMs,
    run: async (now) => {
      let erased = 0;
      let failed = 0;
      const districts = await districtsWithRetention(db);
      for (const d of districts) {
        try {
          const ctx = systemContext(db, content(), { name: 'retention', tenantId: d.id, clock: () => now });
          erased += (await runRetention(ctx)).erased;
        } catch (e) {
          failed++;
          log(`Aufbewahrung „${d.slug}“ fehlgeschlagen: ${(e as Error).message}`);
        }
      }
      return `Landkreise ${districts.length}, gelöscht ${erased}${failed ? `, fehlgeschlagen ${failed}` : ''}`;
    },
  };
}

/** How often the runner looks for interrupted staff imports. */
export const IMPORT_ROLL_FORWARD_INTERVAL_MS = 30_000;

/**
 * The staff-import job: finishes import runs whose process died between two batches (decision 016, addendum), each
 * as the system actor "system:staff-imports" of its district; facts and audit entries keep the admin who applied the
 * file. Runs once right at the server's start and then every 30 s.
 */
export function importRollForwardJob(
  db: Db,
  content: () => ContentSet,
  log: (line: string) => void,
  intervalMs = IMPORT_ROLL_FORWARD_INTERVAL_MS,
): Job {
  return {
    name: 'staff-imports',
    intervalMs,
    run: async (now) => {
      const [{ districtsWithInterruptedImports }, { rollForwardImports }] = await Promise.all([
        import('../users/import/import-run.ts'),
        import('../users/import/import-people.ts'),
      ]);
      let finished = 0;
      for (const tenantId of await districtsWithInterruptedImports(db, now)) {
        try {
          finished += await rollForwardImports(systemContext(db, content(), { name: 'staff-imports', tenantId, clock: () => now }));
        } catch (e) {
          log(`Personal-Import im Landkreis ${tenantId} nicht fortgesetzt: ${(e as Error).message}`);
        }
      }
      return finished > 0 ? `Importe fortgesetzt ${finished}` : undefined;
    },
  };
}

/** How often the runner looks for month ends that HR's trend would otherwise compute on a page view. */
export const COVERAGE_MONTHS_INTERVAL_MS = 10 * 60_000;

/**
 * The coverage-months job: for every active district with a learning record, the figures at the end of each of the
 * last 23 months that are not stored yet (a new month has begun, or a backdated fact dropped them) are computed and
 * stored, so HR's overview and the PDF report read them instead of computing the district at each month end while
 * someone waits. About a second per month end and 50,000 people; one month at a time, with a pause between two.
 * Runs at the start and every 10 minutes; finds nothing to do on almost every run.
 */
export function coverageMonthsJob(
  db: Db,
  content: () => ContentSet,
  log: (line: string) => void,
  intervalMs = COVERAGE_MONTHS_INTERVAL_MS,
): Job {
  return {
    name: 'coverage-months',
    intervalMs,
    run: async () => {
      const { districtsWithRecord, storeMissingMonths } = await import('../hr/coverage-trend.ts');
      let months = 0;
      for (const tenantId of await districtsWithRecord(db)) {
        try {
          // a live clock: each month is stored as recorded by the time it was computed, not by the start of the run
          const ctx = systemContext(db, content(), { name: 'coverage-months', tenantId });
          months += (await storeMissingMonths(ctx, { yieldBetween: () => new Promise((r) => setTimeout(r, 200)) })).length;
        } catch (e) {
          log(`Monatswerte im Landkreis ${tenantId} nicht berechnet: ${(e as Error).message}`);
        }
      }
      return months > 0 ? `Monatswerte berechnet ${months}` : undefined;
    },
  };
}

/** How often the runner looks for queued evidence exports. */
export const EXPORT_INTERVAL_MS = 2_000;

export function serverJobs(
  db: Db,
  env: Env,
  log: (line: string) => void,
  opts: { holder?: string; content?: () => ContentSet } = {},
): Job[] {
  const delivery = mailDelivery(env);
  const jobs: Job[] = [];
  if (opts.content)
    jobs.push(retentionJob(db, opts.content, log), importRollForwardJob(db, opts.content, log), coverageMonthsJob(db, opts.content, log));
  jobs.push({
    name: 'evidence-exports',
    intervalMs: EXPORT_INTERVAL_MS,
    run: async () => {
      // loaded on demand: the curriculum and the export writers are only needed once someone exports
      const [{ runEvidenceExportJobs }, { getContent }] = await Promise.all([
        import('../hr/run-export-jobs.ts'),
        import('../learning/content-registry.ts'),
      ]);
      const r = await runEvidenceExportJobs(db, (opts.content ?? getContent)(), {
        dir: resolve(env.KIKO_EXPORT_DIR),
        holder: opts.holder ?? `exports:${process.pid}`,
        retentionDays: env.KIKO_EXPORT_RETENTION_DAYS,
        log,
      });
      return r.done + r.failed > 0 ? `Exporte fertig ${r.done}, fehlgeschlagen ${r.failed}` : undefined;
    },
  });
  if (delivery.mode === 'smtp')
    jobs.push({
      name: 'mail-delivery',
      intervalMs: env.KIKO_MAIL_INTERVAL_SECONDS * 1000,
      run: async (now) => {
        const r = await deliverQueuedMail(db, { smtpUrl: delivery.smtpUrl, from: delivery.from, now, log });
        return `gesendet ${r.sent}, später erneut ${r.retry}, aufgegeben ${r.failed}`;
      },
    });
  return jobs;
}

export function startServerJobs(db: Db, env: Env, log: (line: string) => void, content?: () => ContentSet): JobRunner {
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const runner = createJobRunner(db, serverJobs(db, env, log, { holder, content }), {
    holder,
    log,
    tickMs: Math.min(EXPORT_INTERVAL_MS, env.KIKO_MAIL_INTERVAL_SECONDS * 1000),
  });
  runner.start();
  return runner;
}
