/**
 * The scheduled-jobs runner: a job runs in one process at a time (database lease), also across two OS processes on
 * the same database file; when the holder stops or dies, the other takes over; a failing job is logged and recorded,
 * never thrown.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jobLeaseTable } from '../../db/schema/index.ts';
import { createJobRunner, type Job } from '../../src/lib/server/jobs/job-runner.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.cleanup());

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('createJobRunner', () => {
  test('runs a job in one of two runners only; the other takes over after stop', async () => {
    const runs: string[] = [];
    const job = (who: string): Job => ({ name: 'einmal', intervalMs: 0, run: async () => void runs.push(who) });
    let now = new Date('2026-12-01T10:00:00Z');
    const clock = () => now;
    const a = createJobRunner(t.db, [job('a')], { holder: 'a', leaseMs: 30_000, clock, log: () => {} });
    const b = createJobRunner(t.db, [job('b')], { holder: 'b', leaseMs: 30_000, clock, log: () => {} });
    for (let i = 0; i < 5; i++) {
      await a.tick();
      await b.tick();
      now = new Date(now.getTime() + 1_000);
    }
    expect(runs).toEqual(['a', 'a', 'a', 'a', 'a']);
    await a.stop();
    await b.tick();
    expect(runs.at(-1)).toBe('b');
    await b.stop();
  });

  test('takes over when the holder stops renewing (a crashed process) once its lease expired', async () => {
    const runs: string[] = [];
    let now = new Date('2026-12-01T11:00:00Z');
    const clock = () => now;
    const job = (who: string): Job => ({ name: 'absturz', intervalMs: 0, run: async () => void runs.push(who) });
    const a = createJobRunner(t.db, [job('a')], { holder: 'a', leaseMs: 10_000, clock, log: () => {} });
    const b = createJobRunner(t.db, [job('b')], { holder: 'b', leaseMs: 10_000, clock, log: () => {} });
    await a.tick();
    now = new Date(now.getTime() + 9_000);
    await b.tick();
    expect(runs).toEqual(['a']);
    now = new Date(now.getTime() + 2_000);
    await b.tick();
    expect(runs).toEqual(['a', 'b']);
  });

  test('logs and records a failing job and keeps running it', async () => {
    const log: string[] = [];
    let calls = 0;
    const runner = createJobRunner(
      t.db,
      [
        {
          name: 'kaputt',
          intervalMs: 0,
          run: async () => {
            calls++;
            throw new Error('Verbindung verloren');
          },
        },
      ],
      { holder: 'x', log: (l) => log.push(l) },
    );
    await runner.tick();
    await runner.tick();
    expect(calls).toBe(2);
    expect(log[0]).toMatch(/„kaputt“ fehlgeschlagen: Verbindung verloren/);
    const [lease] = await t.db.select().from(jobLeaseTable).where(eq(jobLeaseTable.name, 'kaputt'));
    expect(lease?.lastOk).toBe(false);
    expect(lease?.lastResult).toBe('Verbindung verloren');
    await runner.stop();
  });
});

describe('two processes on one database', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  function start(logFile: string): Promise<{ child: ChildProcess; holder: string }> {
    const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'fixtures', 'job-runner-process.ts'), t.url, logFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    return new Promise((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => {
        const m = /ready (\S+)/.exec(String(d));
        if (m) resolve({ child, holder: m[1] as string });
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
  }

  test('only one process runs the job; after it dies the other one does', async () => {
    const logFile = join(t.dir, 'runs.log');
    writeFileSync(logFile, '');
    const [p1, p2] = await Promise.all([start(logFile), start(logFile)]);
    await sleep(1_500);
    const first = readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
    expect(first.length).toBeGreaterThan(3);
    expect(new Set(first).size).toBe(1);
    const holder = first[0] as string;
    const [dead, alive] = holder === p1.holder ? [p1, p2] : [p2, p1];
    dead.child.kill('SIGKILL');
    await sleep(1_500);
    const after = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).slice(first.length);
    expect(after.length).toBeGreaterThan(0);
    expect(after.at(-1)).toBe(alive.holder);
    expect(after.filter((h) => h === dead.holder).length).toBeLessThanOrEqual(1);
  });
});
