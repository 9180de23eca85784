/**
 * `kiko serve` with KIKO_WORKERS=2 against the real built server: both processes serve, answers written by
 * both are all stored, and a logout ends the session in every process at once.
 * Needs dist/ (`astro build`); without it the suite is skipped with a message.
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ExamDayResult, runExamDay } from '../../bench/lib/exam-day.ts';
import { createSessions, drawnItems, missingResponses, pickUsers } from '../../bench/lib/fixtures.ts';
import { processTree, type RunningProcess, startKiko } from '../../bench/lib/server.ts';
import { generateSmallDistrict } from '../setup/small-district.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const built = existsSync(join(process.cwd(), 'dist', 'server', 'entry.mjs'));
if (!built) console.warn('serve-workers: übersprungen, dist/ fehlt (erst `npx astro build` ausführen).');

/** One request on a fresh connection (no keep-alive), so the cluster hands it to the next worker. */
function freshRequest(
  url: string,
  init: { method?: string; cookie: string; origin?: string },
): Promise<{ status: number; location: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', agent: false, headers: { cookie: init.cookie, ...(init.origin ? { origin: init.origin } : {}) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: String(res.headers.location ?? '') }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!built)('kiko serve with KIKO_WORKERS=2', () => {
  let t: TestDb;
  let server: RunningProcess | undefined;
  let cookies: string[];
  let exam: ExamDayResult;
  beforeAll(async () => {
    t = await createTestDb();
    await generateSmallDistrict(t.client, 'cluster');
    cookies = await createSessions(t.db, await pickUsers(t.client, 'cluster', 0, 24));
    server = await startKiko({ root: process.cwd(), dbUrl: t.url, keyDir: join(t.dir, 'keys'), env: { KIKO_WORKERS: '2' } });
    exam = await runExamDay({
      baseUrl: server.url,
      cookies: cookies.slice(0, 20),
      courseId: 'ki-kompetenz-basis',
      thinkScale: 0,
      connections: 8,
      timeLimitS: 40,
    });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    t?.cleanup();
  });

  test('runs a primary and two server processes that share the port', () => {
    expect(server?.output()).toContain('(2 Serverprozesse)');
    expect(processTree(server?.pid ?? 0)).toHaveLength(3);
  });

  test('returns every answer stored when 20 learners write through both processes at once', async () => {
    expect(exam.errorSamples).toEqual([]);
    expect(exam).toMatchObject({ finished: 20, errors: 0 });
    // every drawn item of every learner's attempt was answered and acknowledged (the quiz draws 8 of its pool)
    expect(new Set(exam.acknowledged.map(([a]) => a)).size).toBe(20);
    expect(exam.acknowledged.length).toBe(await drawnItems(t.client, exam.acknowledged));
    expect(exam.acknowledged.length).toBeGreaterThanOrEqual(20 * 8);
    expect(await missingResponses(t.client, exam.acknowledged)).toEqual([]);
  });

  test('ends a session in every process when it logs out in one of them', async () => {
    const base = server?.url ?? '';
    const cookie = cookies[23] ?? '';
    // every process resolves (and caches) the session first
    for (let i = 0; i < 6; i++) expect((await freshRequest(`${base}/lernen`, { cookie })).status).toBe(200);
    const out = await freshRequest(`${base}/abmelden`, { method: 'POST', cookie, origin: base });
    expect(out).toMatchObject({ status: 303, location: '/anmelden?abgemeldet' });
    for (let i = 0; i < 6; i++) {
      const after = await freshRequest(`${base}/lernen`, { cookie });
      expect(after.status, `request ${i + 1} after the logout`).toBe(302);
      expect(after.location).toContain('/anmelden');
    }
  });

  test('replaces a server process that dies and keeps serving', async () => {
    const base = server?.url ?? '';
    const pid = server?.pid ?? 0;
    const [victim] = processTree(pid).slice(1);
    process.kill(victim as number, 'SIGKILL');
    const deadline = Date.now() + 20_000;
    let workers = processTree(pid).slice(1);
    while ((workers.length < 2 || workers.includes(victim as number)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      workers = processTree(pid).slice(1);
    }
    expect(workers).toHaveLength(2);
    expect(workers).not.toContain(victim);
    expect(server?.output()).toContain('Ein neuer Serverprozess wird gestartet.');
    // the new worker listens a moment after it exists
    let statuses: number[] = [];
    while (Date.now() < deadline) {
      statuses = await Promise.all([0, 1, 2, 3].map(async () => (await freshRequest(`${base}/api/health`, { cookie: '' })).status));
      if (statuses.every((s) => s === 200)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(statuses).toEqual([200, 200, 200, 200]);
  });
});
