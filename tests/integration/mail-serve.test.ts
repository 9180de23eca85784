/**
 * Mail delivery of running servers: two `kiko serve` on one database (one of them with two worker processes) and a
 * real SMTP server on loopback. Every queued mail arrives exactly once, delivered by one process (the job's lease).
 * Needs dist/ (`astro build`); without it the suite is skipped.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningProcess, startKiko } from '../../bench/lib/server.ts';
import { jobLeaseTable } from '../../db/schema/index.ts';
import { queueMail } from '../../src/lib/server/mail/queue-mail.ts';
import { makeTenant } from '../setup/factories.ts';
import { startTestSmtp, type TestSmtp } from '../setup/smtp-server.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const root = process.cwd();
const built = existsSync(join(root, 'dist', 'server', 'entry.mjs'));

describe.skipIf(!built)('mail delivery of two servers on one database', () => {
  let t: TestDb;
  let smtp: TestSmtp;
  const servers: RunningProcess[] = [];
  beforeAll(async () => {
    t = await createTestDb();
    smtp = await startTestSmtp();
    const env = { KIKO_SMTP_URL: smtp.url, KIKO_MAIL_FROM: 'KIKO <kiko@landkreis.example>', KIKO_MAIL_INTERVAL_SECONDS: '1' };
    const keyDir = join(t.dir, 'keys');
    servers.push(await startKiko({ root, dbUrl: t.url, keyDir, env: { ...env, KIKO_WORKERS: '2' }, timeoutMs: 90_000 }));
    servers.push(await startKiko({ root, dbUrl: t.url, keyDir, env, timeoutMs: 90_000 }));
  }, 180_000);
  afterAll(async () => {
    for (const s of servers) await s.stop();
    await smtp?.close();
    t?.cleanup();
  });

  test('sends every queued mail once, from one process', async () => {
    const tenant = await makeTenant(t.db);
    for (let i = 0; i < 30; i++)
      await queueMail(
        t.db,
        { tenantId: tenant.id, to: `p${i}@landkreis.example`, template: 'test', subject: `Nachricht ${i}`, text: 'Hallo' },
        { delivery: 'smtp' },
      );
    await smtp.waitFor(30, 30_000);
    // a few more rounds of both servers: nothing arrives twice
    await new Promise((r) => setTimeout(r, 3_000));
    expect(smtp.received).toHaveLength(30);
    expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(30);
    const leases = await t.db.select().from(jobLeaseTable);
    // one lease per job for both servers: the mail job beside the export and retention jobs every server runs
    expect(leases.map((l) => l.name).sort()).toEqual([
      'coverage-months',
      'evidence-exports',
      'mail-delivery',
      'retention',
      'staff-imports',
    ]);
    for (const s of servers) expect(s.output()).toMatch(/E-Mails werden über smtp:\/\/127\.0\.0\.1:\d+ versendet/);
  });
});
