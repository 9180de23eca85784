/**
 * Demo learning data for Landkreis Musterstadt: Lena Lernende has completed "KI-Kompetenz kompakt" (all lessons,
 * a passed quiz attempt with responses, the completion and its certificate) and is halfway into "Prompting"
 * (2 lessons done). Made with the real verbs — completeLesson, startAttempt, answerItem with the answer key —
 * so progress, attempt, audit log and certificate are consistent. Idempotent: parts already present are skipped;
 * each part is written in one transaction (seed-step.ts).
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { courseCompletionTable, lessonProgressTable, userTable } from '../../../../db/schema/index.ts';
import { configureCertificateIssuing } from '../certificates/certificate-hook.ts';
import type { ContentSet } from '../content/load-content.ts';
import { personContext } from '../context.ts';
import type { Learner } from '../learning/learner.ts';
import { completeLesson } from '../learning/lesson-progress.ts';
import type { AttemptLayout } from '../quizzes/draw-attempt.ts';
import { gradeItem } from '../quizzes/grade-item.ts';
import { idTranslation } from '../quizzes/public-item.ts';
import { answerItem, startAttempt } from '../quizzes/quiz-attempts.ts';
import { type AuthUser, getAuthUser } from '../users/get-auth-user.ts';
import { inOneTransaction } from './seed-step.ts';

/** The demo learner. */
export const DEMO_LEARNER_EMAIL = 'lena.lernende@musterstadt.example';
const COMPLETED_COURSE = 'ki-kompetenz-basis';
const STARTED_COURSE = 'prompting';
const STARTED_LESSONS = 2;

/** What seedDemoLearning added. */
export interface SeedLearningResult {
  courseCompleted: boolean;
  lessonsStarted: number;
}

/**
 * Completes a course the way a learner would: every lesson, then a quiz attempt answered with the answer key
 * (9 minutes per lesson, 40 seconds per answer from `at`). Returns false for an unknown course. Also used by tests.
 */
export async function completeCourseWithAnswerKey(
  db: Db,
  user: AuthUser,
  content: ContentSet,
  courseId: string,
  at: Date,
): Promise<boolean> {
  const course = content.courses.get(courseId);
  if (!course) return false;
  const ctxAt = (t: Date) => personContext(db, user, content, () => t);
  for (const [i, lesson] of course.lessons.entries())
    await completeLesson(ctxAt(new Date(at.getTime() + i * 9 * 60_000)), courseId, lesson.id);
  const quizId = course.course.quiz;
  const loaded = quizId ? content.quizzes.get(quizId) : undefined;
  if (!loaded) return true;
  const start = new Date(at.getTime() + course.lessons.length * 9 * 60_000);
  const attempt = await startAttempt(ctxAt(start), courseId);
  const layout = attempt.layout as AttemptLayout;
  for (const [i, itemId] of layout.itemIds.entries()) {
    const item = loaded.quiz.items.find((x) => x.id === itemId);
    if (!item) continue;
    // the answer key, translated into the attempt's public ids as a browser would send it
    const response = idTranslation(item, layout).toPublic(gradeItem(item, undefined).solution);
    await answerItem(ctxAt(new Date(start.getTime() + (i + 1) * 40_000)), attempt.id, itemId, response);
  }
  return true;
}

/**
 * Seeds the demo learning records (see the module comment). `keyDir` overrides KIKO_KEY_DIR for the certificate
 * that the completion issues; `now` is the reference time (the course was completed 3 weeks before it).
 */
export async function seedDemoLearning(
  db: Db,
  content: ContentSet,
  options: { keyDir?: string; now?: Date } = {},
): Promise<SeedLearningResult> {
  configureCertificateIssuing(options.keyDir ? { keyDir: options.keyDir } : {});
  const result: SeedLearningResult = { courseCompleted: false, lessonsStarted: 0 };
  const [user] = await db.select().from(userTable).where(eq(userTable.email, DEMO_LEARNER_EMAIL));
  if (!user?.tenantId) return result;
  const learner: Learner = { userId: user.id, tenantId: user.tenantId, jobRole: user.jobRole, orgUnitId: user.orgUnitId };
  const auth = await getAuthUser(db, user.id);
  if (!auth) return result;
  const now = options.now ?? new Date();
  const day = 86_400_000;

  const done = await db
    .select({ id: courseCompletionTable.id })
    .from(courseCompletionTable)
    .where(
      and(
        eq(courseCompletionTable.tenantId, learner.tenantId),
        eq(courseCompletionTable.userId, learner.userId),
        eq(courseCompletionTable.courseId, COMPLETED_COURSE),
      ),
    )
    .limit(1);
  if (done.length === 0)
    result.courseCompleted = await inOneTransaction(db, (tx) =>
      completeCourseWithAnswerKey(tx, auth, content, COMPLETED_COURSE, new Date(now.getTime() - 21 * day)),
    );

  const started = content.courses.get(STARTED_COURSE);
  const progress = await db
    .select({ lessonId: lessonProgressTable.lessonId })
    .from(lessonProgressTable)
    .where(
      and(
        eq(lessonProgressTable.tenantId, learner.tenantId),
        eq(lessonProgressTable.userId, learner.userId),
        eq(lessonProgressTable.courseId, STARTED_COURSE),
      ),
    );
  if (started && progress.length === 0)
    result.lessonsStarted = await inOneTransaction(db, async (tx) => {
      let n = 0;
      for (const [i, lesson] of started.lessons.slice(0, STARTED_LESSONS).entries()) {
        await completeLesson(
          personContext(tx, auth, content, () => new Date(now.getTime() - (4 - i) * day)),
          STARTED_COURSE,
          lesson.id,
        );
        n++;
      }
      return n;
    });
  return result;
}
