/** "Mein Verlauf": the learner's completions and quiz attempts, newest first. */
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { courseCompletionTable, lessonProgressTable, quizAttemptTable } from '../../../../db/schema/index.ts';
import type { Learner } from './learner.ts';

export interface LearningHistory {
  completions: Array<{ courseId: string; courseVersion: string; completedAt: Date }>;
  attempts: Array<{
    id: string;
    courseId: string;
    quizVersion: string;
    startedAt: Date;
    submittedAt: Date | null;
    score: number | null;
    maxScore: number | null;
    passed: boolean | null;
    status: string;
  }>;
  lessons: Array<{ courseId: string; lessonId: string; lessonVersion: string; completedAt: Date | null }>;
}

export async function getLearningHistory(db: Db, learner: Learner): Promise<LearningHistory> {
  const [completions, attempts, lessons] = await Promise.all([
    db
      .select({
        courseId: courseCompletionTable.courseId,
        courseVersion: courseCompletionTable.courseVersion,
        completedAt: courseCompletionTable.completedAt,
      })
      .from(courseCompletionTable)
      .where(and(eq(courseCompletionTable.tenantId, learner.tenantId), eq(courseCompletionTable.userId, learner.userId)))
      .orderBy(desc(courseCompletionTable.completedAt)),
    db
      .select({
        id: quizAttemptTable.id,
        courseId: quizAttemptTable.courseId,
        quizVersion: quizAttemptTable.quizVersion,
        startedAt: quizAttemptTable.startedAt,
        submittedAt: quizAttemptTable.submittedAt,
        score: quizAttemptTable.score,
        maxScore: quizAttemptTable.maxScore,
        passed: quizAttemptTable.passed,
        status: quizAttemptTable.status,
      })
      .from(quizAttemptTable)
      .where(and(eq(quizAttemptTable.tenantId, learner.tenantId), eq(quizAttemptTable.userId, learner.userId)))
      .orderBy(desc(quizAttemptTable.startedAt)),
    db
      .select({
        courseId: lessonProgressTable.courseId,
        lessonId: lessonProgressTable.lessonId,
        lessonVersion: lessonProgressTable.lessonVersion,
        completedAt: lessonProgressTable.completedAt,
      })
      .from(lessonProgressTable)
      .where(and(eq(lessonProgressTable.tenantId, learner.tenantId), eq(lessonProgressTable.userId, learner.userId)))
      .orderBy(desc(lessonProgressTable.lastSeenAt)),
  ]);
  return { completions, attempts, lessons };
}
