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
    expect(await seedDemoLearning(t.db, content, { keyDir })).toEqual({ courseCompleted: false, lessonsStarted: 0 });
    expect(await t.db.select().from(certificateTable)).toHaveLength(1);
    expect(await t.db.select().from(quizAttemptTable)).toHaveLength(1);
  });
});
