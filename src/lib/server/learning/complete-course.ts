/**
 * Records a course completion: online once every lesson is done and the quiz (if any) is passed, or in person /
 * recognised when HR or a session's attendance says so. Runs inside the caller's transaction, so the fact in the
 * learning record, its projection row, its audit entry and the certificates it earns commit together.
 */
import { randomUUID } from 'node:crypto';
import { and, desc, eq, gte } from 'drizzle-orm';
import { type CompletionWay, courseCompletionTable, lessonProgressTable, quizAttemptTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { issueOnCompletion } from '../certificates/certificate-hook.ts';
import type { ContentSet } from '../content/load-content.ts';
import { pathRulesOf } from '../evidence/content-archive.ts';
import { expiryOf, refresherMonths } from '../evidence/course-status.ts';
import { appendFact, type Tx } from '../evidence/record.ts';
import type { Learner } from './learner.ts';
import { resolvePath } from './resolve-path.ts';

export type { Tx };

/** Writes the completion (fact, projection, audit, certificates). Returns the completion id, or null if a twin exists. */
export async function recordCourseCompletion(
  tx: Tx,
  input: {
    learner: Learner;
    courseId: string;
    content: ContentSet;
    how: CompletionWay;
    at: Date;
    actorId: string | null;
    quizAttemptId?: string | null;
    /** Why a completion was recorded by hand (recognised external training). */
    reason?: string | null;
    idemKey?: string;
    /** When KIKO learns of it (attendance recorded after the session): default now. */
    recordedAt?: Date;
  },
): Promise<string | null> {
  const { learner, courseId, content, how, at } = input;
  const course = content.courses.get(courseId);
  if (!course) return null;
  const id = randomUUID();
  const attemptId = input.quizAttemptId ?? null;
  const fresh = await appendFact(tx, {
    tenantId: learner.tenantId,
    type: 'course.completed',
    userId: learner.userId,
    subject: courseId,
    ref: id,
    version: course.version,
    how,
    data: { quizAttemptId: attemptId, ...(input.reason ? { reason: input.reason } : {}) },
    effectiveAt: at,
    ...(input.recordedAt ? { recordedAt: input.recordedAt } : {}),
    actorId: input.actorId,
    idemKey: input.idemKey ?? `course:${learner.userId}:${courseId}:${at.getTime()}`,
  });
  if (!fresh) return null;
  await tx.insert(courseCompletionTable).values({
    id,
    tenantId: learner.tenantId,
    userId: learner.userId,
    courseId,
    courseVersion: course.version,
    quizAttemptId: attemptId,
    how,
    completedAt: at,
  });
  await appendAuditEvent(tx, {
    tenantId: learner.tenantId,
    actorId: input.actorId,
    type: 'course.completed',
    subjectId: learner.userId,
    data: { courseId, courseVersion: course.version, quizAttemptId: attemptId, how },
    personal: input.reason ? { reason: input.reason } : undefined,
    at,
  });
  await issueOnCompletion(tx, { learner, courseId, completedAt: at, actorId: input.actorId }, content);
  return id;
}

/**
 * Completes the course online when this was the last missing piece: every lesson done and the quiz passed. A course
 * is completed once, and again as a refresher once its interval (the one refresher rule) has passed since the last
 * completion; a refresher needs a quiz passed after it became due.
 */
export async function completeCourseIfDone(tx: Tx, learner: Learner, courseId: string, content: ContentSet, now: Date): Promise<boolean> {
  const course = content.courses.get(courseId);
  if (!course) return false;
  const done = await tx
    .select({ lessonId: lessonProgressTable.lessonId, completedAt: lessonProgressTable.completedAt })
    .from(lessonProgressTable)
    .where(
      and(
        eq(lessonProgressTable.tenantId, learner.tenantId),
        eq(lessonProgressTable.userId, learner.userId),
        eq(lessonProgressTable.courseId, courseId),
      ),
    );
  const doneIds = new Set(done.filter((d) => d.completedAt).map((d) => d.lessonId));
  if (!course.lessons.every((l) => doneIds.has(l.id))) return false;
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
  let refresherFrom: Date | null = null;
  if (last[0]) {
    const assigned = await resolvePath(tx as never, learner, content);
    const months = refresherMonths(assigned ? pathRulesOf(assigned.path) : null, courseId, [...content.paths.values()].map(pathRulesOf));
    refresherFrom = expiryOf(last[0].completedAt, months);
    if (refresherFrom > now) return false;
  }
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
  const id = await recordCourseCompletion(tx, {
    learner,
    courseId,
    content,
    how: 'online',
    at: now,
    actorId: learner.userId,
    quizAttemptId: attemptId,
  });
  return id !== null;
}
