/**
 * The scheduled jobs of a running KIKO server: today the mail delivery (every KIKO_MAIL_INTERVAL_SECONDS when an
 * SMTP server is configured). `kiko serve` starts them once per server (the cluster's primary, or the single
 * process); the leases keep each job in one process also when several servers share the database.
 */
import type { Db } from '../../../../db/client.ts';
import type { Env } from '../config/env.ts';
import { deliverQueuedMail } from '../mail/deliver-mail.ts';
import { mailDelivery } from '../mail/mail-config.ts';
import { createJobRunner, type Job, type JobRunner } from './job-runner.ts';

export function serverJobs(db: Db, env: Env, log: (line: string) => void): Job[] {
  const delivery = mailDelivery(env);
  const jobs: Job[] = [];
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

export function startServerJobs(db: Db, env: Env, log: (line: string) => void): JobRunner {
  const runner = createJobRunner(db, serverJobs(db, env, log), { log, tickMs: Math.min(5_000, env.KIKO_MAIL_INTERVAL_SECONDS * 1000) });
  runner.start();
  return runner;
}
