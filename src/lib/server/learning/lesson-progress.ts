/** Lesson visits and completion: "continue where you left off", lesson done, course completion. */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { lessonProgressTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import type { ContentSet, LoadedLesson } from '../content/load-content.ts';
import { NotFoundError } from '../errors/domain-errors.ts';
import { completeCourseIfDone } from './complete-course.ts';
import type { Learner } from './learner.ts';

export function requireLesson(content: ContentSet, courseId: string, lessonId: string): LoadedLesson {
  const lesson = content.courses.get(courseId)?.lessons.find((l) => l.id === lessonId);
  if (!lesson) throw new NotFoundError('Diese Lektion gibt es nicht.');
  return lesson;
}

/** A learner's first row for a lesson (first start and last visit both now). */
function progressRow(learner: Learner, courseId: string, lesson: LoadedLesson, now: Date) {
  return {
    tenantId: learner.tenantId,
    userId: learner.userId,
    courseId,
    lessonId: lesson.id,
    lessonVersion: lesson.version,
    startedAt: now,
    lastSeenAt: now,
  };
}

/** A repeated visit within this time does not rewrite "last seen" (page views stay read-only under load). */
export const VISIT_RESOLUTION_MS = 60_000;

/**
 * Notes that the learner opened a lesson (first start and last visit, for "continue where you left off")
 * and returns the learner's progress in the course.
 */
export async function visitLesson(
  db: Db,
  learner: Learner,
  content: ContentSet,
  courseId: string,
  lessonId: string,
  now = new Date(),
): Promise<Map<string, { completedAt: Date | null }>> {
  const lesson = requireLesson(content, courseId, lessonId);
  const rows = await courseProgressRows(db, learner, courseId);
  const seen = rows.find((r) => r.lessonId === lessonId);
  if (!seen || now.getTime() - seen.lastSeenAt.getTime() >= VISIT_RESOLUTION_MS)
    await db
      .insert(lessonProgressTable)
      .values(progressRow(learner, courseId, lesson, now))
      .onConflictDoUpdate({
        target: [lessonProgressTable.userId, lessonProgressTable.courseId, lessonProgressTable.lessonId],
        set: { lastSeenAt: now },
      });
  return new Map(rows.map((r) => [r.lessonId, { completedAt: r.completedAt }]));
}

/**
 * Marks a lesson done (idempotent: the first completion time is kept) and completes the course when
 * this was the last missing piece. Returns whether the course is now complete.
 */
export async function completeLesson(
  db: Db,
  learner: Learner,
  content: ContentSet,
  courseId: string,
  lessonId: string,
  now = new Date(),
): Promise<{ courseCompleted: boolean }> {
  const lesson = requireLesson(content, courseId, lessonId);
  return db.transaction(async (tx) => {
    const updated = await tx
      .insert(lessonProgressTable)
      .values({ ...progressRow(learner, courseId, lesson, now), completedAt: now })
      .onConflictDoUpdate({
        target: [lessonProgressTable.userId, lessonProgressTable.courseId, lessonProgressTable.lessonId],
        set: {
          completedAt: sql`coalesce(${lessonProgressTable.completedAt}, ${now.getTime()})`,
          lessonVersion: lesson.version,
          lastSeenAt: now,
        },
        setWhere: eq(lessonProgressTable.tenantId, learner.tenantId),
      })
      .returning({ completedAt: lessonProgressTable.completedAt });
    if (updated[0]?.completedAt?.getTime() === now.getTime())
      await appendAuditEvent(tx, {
        tenantId: learner.tenantId,
        actorId: learner.userId,
        type: 'lesson.completed',
        subjectId: learner.userId,
        data: { courseId, lessonId, lessonVersion: lesson.version },
        at: now,
      });
    const courseCompleted = await completeCourseIfDone(tx, learner, courseId, content, now);
    return { courseCompleted };
  });
}

/** The learner's progress rows of one course (one indexed query). */
async function courseProgressRows(
  db: Db,
  learner: Learner,
  courseId: string,
): Promise<Array<{ lessonId: string; completedAt: Date | null; lastSeenAt: Date }>> {
  return db
    .select({
      lessonId: lessonProgressTable.lessonId,
      completedAt: lessonProgressTable.completedAt,
      lastSeenAt: lessonProgressTable.lastSeenAt,
    })
    .from(lessonProgressTable)
    .where(
      and(
        eq(lessonProgressTable.tenantId, learner.tenantId),
        eq(lessonProgressTable.userId, learner.userId),
        eq(lessonProgressTable.courseId, courseId),
      ),
    );
}

export async function getLessonProgress(db: Db, learner: Learner, courseId: string): Promise<Map<string, { completedAt: Date | null }>> {
  const rows = await courseProgressRows(db, learner, courseId);
  return new Map(rows.map((r) => [r.lessonId, { completedAt: r.completedAt }]));
}
