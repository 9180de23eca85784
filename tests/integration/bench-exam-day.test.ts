/**
 * A tiny exam day against the real built server: every answer the server acknowledged must be in the database.
 * Needs dist/ (`astro build`); without it the suite is skipped with a message.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ExamDayResult, runExamDay } from '../../bench/lib/exam-day.ts';
import { createSessions, drawnItems, missingResponses, pickUsers } from '../../bench/lib/fixtures.ts';
import { type RunningProcess, startKiko } from '../../bench/lib/server.ts';
import { generateSmallDistrict } from '../setup/small-district.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const built = existsSync(join(process.cwd(), 'dist', 'server', 'entry.mjs'));
if (!built) console.warn('bench-exam-day: übersprungen, dist/ fehlt (erst `npx astro build` ausführen).');

describe.skipIf(!built)('runExamDay', () => {
  let t: TestDb;
  let server: RunningProcess | undefined;
  let result: ExamDayResult;
  beforeAll(async () => {
    t = await createTestDb();
    await generateSmallDistrict(t.client, 'pruefung');
    const learners = await pickUsers(t.client, 'pruefung', 0, 20);
    const cookies = await createSessions(t.db, learners);
    server = await startKiko({ root: process.cwd(), dbUrl: t.url, keyDir: join(t.dir, 'keys') });
    result = await runExamDay({
      baseUrl: server.url,
      cookies,
      courseId: 'ki-kompetenz-basis',
      thinkScale: 0,
      connections: 8,
      timeLimitS: 40,
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    t?.cleanup();
  });

  test('returns every learner finished without errors when 20 learners start at once', () => {
    expect(result.errorSamples).toEqual([]);
    expect(result).toMatchObject({ learners: 20, finished: 20, abandoned: 0, cutOff: 0, errors: 0 });
    expect(result.startSpike.count).toBe(40);
  });

  test('returns no missing answer when every acknowledged answer is looked up in quiz_responses', async () => {
    // every drawn item of every learner's attempt was answered and acknowledged (the quiz draws 8 of its pool)
    expect(new Set(result.acknowledged.map(([a]) => a)).size).toBe(20);
    expect(result.acknowledged.length).toBe(await drawnItems(t.client, result.acknowledged));
    expect(result.acknowledged.length).toBeGreaterThanOrEqual(20 * 8);
    expect(await missingResponses(t.client, result.acknowledged)).toEqual([]);
    const submitted = await t.client.execute(
      "SELECT count(*) FROM quiz_attempts WHERE status = 'submitted' AND quiz_id = 'ki-kompetenz-basis' AND started_at > ?",
      [Date.now() - 120_000],
    );
    expect(Number(submitted.rows[0]?.[0])).toBe(20);
  });

  test('returns the answer as missing when an acknowledged answer is not stored', async () => {
    const [attemptId] = result.acknowledged[0] ?? ['', ''];
    expect(await missingResponses(t.client, [[attemptId, 'gibt-es-nicht']])).toEqual([[attemptId, 'gibt-es-nicht']]);
  });
});
