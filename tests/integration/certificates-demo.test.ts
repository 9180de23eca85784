import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  certificateTable,
  courseCompletionTable,
  lessonProgressTable,
  quizAttemptTable,
  quizResponseTable,
  userTable,
} from '../../db/schema/index.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { verifyCertificateById } from '../../src/lib/server/certificates/verify-certificate.ts';
import { type ContentSet, loadContent } from '../../src/lib/server/content/load-content.ts';
import { seedDemo } from '../../src/lib/server/demo/seed-demo.ts';
import { DEMO_LEARNER_EMAIL, seedDemoLearning } from '../../src/lib/server/demo/seed-demo-learning.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let t: TestDb;
let content: ContentSet;
let keyDir: string;
beforeAll(async () => {
  t = await createTestDb();
  content = loadContent({ root: process.cwd() });
  keyDir = join(t.dir, 'keys');
  // before seedDemo, in case seedDemo itself seeds the learning data: keys go to the test folder either way
  configureCertificateIssuing({ keyDir });
  await seedDemo(t.db);
  await seedDemoLearning(t.db, content, { keyDir });
}, 60_000);
afterAll(() => t.cleanup());

describe('seedDemoLearning', () => {
  test('returns Lena with one completed course (lessons, passed quiz with responses, certificate) and one begun course', async () => {
    const [lena] = await t.db.select().from(userTable).where(eq(userTable.email, DEMO_LEARNER_EMAIL));
    const userId = lena?.id ?? '';
    const progress = await t.db.select().from(lessonProgressTable).where(eq(lessonProgressTable.userId, userId));
    const basis = content.courses.get('ki-kompetenz-basis');
    expect(progress.filter((p) => p.courseId === 'ki-kompetenz-basis' && p.completedAt)).toHaveLength(basis?.lessons.length ?? -1);
    expect(progress.filter((p) => p.courseId === 'prompting' && p.completedAt)).toHaveLength(2);
    const [attempt] = await t.db.select().from(quizAttemptTable).where(eq(quizAttemptTable.userId, userId));
    expect(attempt).toMatchObject({ status: 'submitted', passed: true, quizId: 'ki-kompetenz-basis' });
    expect(attempt?.score).toBe(attempt?.maxScore);
    const responses = await t.db
      .select()
      .from(quizResponseTable)
      .where(eq(quizResponseTable.attemptId, attempt?.id ?? ''));
    expect(responses.length).toBe(content.quizzes.get('ki-kompetenz-basis')?.quiz.draw ?? -1);
    const completions = await t.db.select().from(courseCompletionTable).where(eq(courseCompletionTable.userId, userId));
    expect(completions.map((c) => [c.courseId, c.quizAttemptId])).toEqual([['ki-kompetenz-basis', attempt?.id]]);
    const certificates = await t.db
      .select()
      .from(certificateTable)
      .where(and(eq(certificateTable.userId, userId)));
    expect(certificates.map((c) => [c.kind, c.achievementId])).toEqual([['course', 'ki-kompetenz-basis']]);
    const verified = await verifyCertificateById(t.db, { id: certificates[0]?.id ?? '' }, { keyDir, publicUrl: null });
    expect(verified.status).toBe('genuine');
    expect(verified.certificate?.holder).toBe('L. L.');
  }, 60_000);

  test('returns nothing new when run a second time', async () => {
    const before = {
      certificates: (await t.db.select().from(certificateTable)).length,
      attempts: (await t.db.select().from(quizAttemptTable)).length,
    };
    expect(await seedDemoLearning(t.db, content, { keyDir })).toEqual({ courseCompleted: false, lessonsStarted: 0 });
    // the demo cohorts' colleagues have their own attempts and certificates; Lena has one of each, and nothing is added
    const [lena] = await t.db.select().from(userTable).where(eq(userTable.email, DEMO_LEARNER_EMAIL));
    expect(
      await t.db
        .select()
        .from(certificateTable)
        .where(eq(certificateTable.userId, lena?.id ?? '')),
    ).toHaveLength(1);
    expect(
      await t.db
        .select()
        .from(quizAttemptTable)
        .where(eq(quizAttemptTable.userId, lena?.id ?? '')),
    ).toHaveLength(1);
    await seedDemo(t.db);
    expect((await t.db.select().from(certificateTable)).length).toBe(before.certificates);
    expect((await t.db.select().from(quizAttemptTable)).length).toBe(before.attempts);
  });
});

describe('seedDemo history', () => {
  test('gives the demo district a past that status as of an earlier date shows: the move, the ended assignment, the old version', async () => {
    const { getStatusAsOf } = await import('../../src/lib/server/evidence/status-as-of.ts');
    const { getAuthUser } = await import('../../src/lib/server/users/get-auth-user.ts');
    const { personContext } = await import('../../src/lib/server/context.ts');
    const { learningEventTable, orgUnitTable } = await import('../../db/schema/index.ts');
    const [paula] = await t.db.select().from(userTable).where(eq(userTable.email, 'paula.personal@musterstadt.example'));
    const hr = await getAuthUser(t.db, paula?.id as string);
    const ctx = personContext(t.db, hr as NonNullable<typeof hr>, content);
    const [jonas] = await t.db.select().from(userTable).where(eq(userTable.email, 'jonas.jugendamt@musterstadt.example'));
    const unitCode = async (id: string | null | undefined) =>
      (
        await t.db
          .select({ code: orgUnitTable.code })
          .from(orgUnitTable)
          .where(eq(orgUnitTable.id, id ?? ''))
      )[0]?.code;
    const DAY = 86_400_000;
    const past = await getStatusAsOf(ctx, { asOf: new Date(Date.now() - 200 * DAY) });
    const today = await getStatusAsOf(ctx, { asOf: new Date() });
    expect(await unitCode(past.people.find((p) => p.userId === jonas?.id)?.orgUnitId)).toBe('FB2-SA');
    expect(await unitCode(today.people.find((p) => p.userId === jonas?.id)?.orgUnitId)).toBe('FB2-JA');
    const ended = await t.db.select().from(learningEventTable).where(eq(learningEventTable.type, 'path.unassigned'));
    expect(ended.length).toBeGreaterThan(0);
    const old = await t.db
      .select()
      .from(learningEventTable)
      .where(and(eq(learningEventTable.type, 'lesson.completed'), eq(learningEventTable.subject, 'ki-kompetenz-basis')));
    expect(old.some((f) => f.version?.endsWith('-2026-01'))).toBe(true);
    await expect(getStatusAsOf(ctx, { asOf: new Date(Date.now() - 800 * DAY) })).rejects.toThrow(/Aufzeichnung des Landkreises beginnt/);
  });
});
