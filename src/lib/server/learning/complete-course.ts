/**
 * Records a course completion once every lesson is done and the quiz (if any) is passed. Runs inside the
 * caller's transaction so the completion commits together with the event that earned it, with its audit event.
 * Hooks (certificates) run in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import { and, desc, eq, gte } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { courseCompletionTable, lessonProgressTable, quizAttemptTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import type { ContentSet } from '../content/load-content.ts';
import type { Learner } from './learner.ts';

export function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

/** Refresher interval of a course: the shortest of the learning paths that require it (24 months if none). */
export function refresherMonthsFor(content: ContentSet, courseId: string): number {
  const months = [...content.paths.values()].filter((p) => p.required.includes(courseId)).map((p) => p.refresherMonths);
  return months.length > 0 ? Math.min(...months) : 24;
}

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface CompletionEvent {
  learner: Learner;
  courseId: string;
  courseVersion: string;
  completionId: string;
  completedAt: Date;
}
type CompletionHook = (tx: Tx, event: CompletionEvent, content: ContentSet) => Promise<void>;
const hooks: CompletionHook[] = [];

/** Registers work that must commit with every course completion (e.g. issuing certificates). */
export function onCourseCompleted(hook: CompletionHook): void {
  if (!hooks.includes(hook)) hooks.push(hook);
}

export async function completeCourseIfDone(
  tx: Tx,
  learner: Learner,
  courseId: string,
  content: ContentSet,
  now = new Date(),
): Promise<boolean> {
  const course = content.courses.get(courseId);
  if (!course) return false;
  const scope = and(
    eq(lessonProgressTable.tenantId, learner.tenantId),
    eq(lessonProgressTable.userId, learner.userId),
    eq(lessonProgressTable.courseId, courseId),
  );
  const done = await tx
    .select({ lessonId: lessonProgressTable.lessonId, completedAt: lessonProgressTable.completedAt })
    .from(lessonProgressTable)
    .where(scope);
  const doneIds = new Set(done.filter((d) => d.completedAt).map((d) => d.lessonId));
  if (!course.lessons.every((l) => doneIds.has(l.id))) return false;
  // A course is completed once, and again as a refresher once its interval has passed since the last completion;
  // a refresher needs a quiz passed after the refresher became due.
  const last = await tx
    .select({ completedAt: courseCompletionTable.completedAt })
    .from(courseCompletionTable)
    .where(
      and(
        eq(courseCompletionTable.tenantId, learner.tenantId),
        eq(courseCompletionTable.userId, learner.userId),
        eq(courseCompletionTable.courseId, courseId),
      ),
    )
    .orderBy(desc(courseCompletionTable.completedAt))
    .limit(1);
  const refresherFrom = last[0] ? addMonths(last[0].completedAt, refresherMonthsFor(content, courseId)) : null;
  if (refresherFrom && refresherFrom > now) return false;
  let attemptId: string | null = null;
  if (course.course.quiz && content.quizzes.has(course.course.quiz)) {
    const passed = await tx
      .select({ id: quizAttemptTable.id })
      .from(quizAttemptTable)
      .where(
        and(
          eq(quizAttemptTable.tenantId, learner.tenantId),
          eq(quizAttemptTable.userId, learner.userId),
          eq(quizAttemptTable.quizId, course.course.quiz),
          eq(quizAttemptTable.passed, true),
          gte(quizAttemptTable.submittedAt, refresherFrom ?? new Date(0)),
        ),
      )
      .limit(1);
    if (!passed[0]) return false;
    attemptId = passed[0].id;
  }
  const id = randomUUID();
  const inserted = await tx
    .insert(courseCompletionTable)
    .values({
      id,
      tenantId: learner.tenantId,
      userId: learner.userId,
      courseId,
      courseVersion: course.version,
      quizAttemptId: attemptId,
      completedAt: now,
    })
    .returning({ id: courseCompletionTable.id });
  if (inserted.length === 0) return false;
  await appendAuditEvent(tx, {
    tenantId: learner.tenantId,
    actorId: learner.userId,
    type: 'course.completed',
    subjectId: learner.userId,
    data: { courseId, courseVersion: course.version, quizAttemptId: attemptId },
    at: now,
  });
  for (const hook of hooks)
    await hook(tx, { learner, courseId, courseVersion: course.version, completionId: id, completedAt: now }, content);
  return true;
}
