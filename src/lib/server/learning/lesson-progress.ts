/** Lesson visits and completion: "continue where you left off", lesson done, course completion. */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { perDatabase } from '../../../../db/per-database.ts';
import { lessonProgressTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import type { ContentSet, LoadedLesson } from '../content/load-content.ts';
import type { Ctx } from '../context.ts';
import { NotFoundError } from '../errors/domain-errors.ts';
import { appendFact, factInsert } from '../evidence/record.ts';
import { completeCourseIfDone } from './complete-course.ts';
import { authorizeLearner, type Learner } from './learner.ts';

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
 * Notes that the learner opened a lesson (the first visit is a "lesson.started" fact; later visits only move "last
 * seen", which is not evidence) and returns the learner's progress in the course.
 */
export async function visitLesson(ctx: Ctx, courseId: string, lessonId: string): Promise<Map<string, { completedAt: Date | null }>> {
  const learner = await authorizeLearner(ctx);
  const { db, content } = ctx;
  const now = ctx.clock();
  const lesson = requireLesson(content, courseId, lessonId);
  const rows = await courseProgressRows(db, learner, courseId);
  const seen = rows.find((r) => r.lessonId === lessonId);
  // the progress row and its fact as one batch (one short write); a second tab's insert changes neither: the fact
  // has the same idempotency key as the one written with the row
  if (!seen)
    await db.batch([
      db
        .insert(lessonProgressTable)
        .values(progressRow(learner, courseId, lesson, now))
        .onConflictDoNothing(),
      factInsert(db, [
        {
          tenantId: learner.tenantId,
          type: 'lesson.started',
          userId: learner.userId,
          subject: courseId,
          ref: lesson.id,
          version: lesson.version,
          effectiveAt: now,
          actorId: learner.userId,
          idemKey: `lesson-start:${learner.userId}:${courseId}:${lesson.id}`,
        },
      ]),
    ]);
  else if (now.getTime() - seen.lastSeenAt.getTime() >= VISIT_RESOLUTION_MS)
    await db
      .update(lessonProgressTable)
      .set({ lastSeenAt: now })
      .where(
        and(
          eq(lessonProgressTable.tenantId, learner.tenantId),
          eq(lessonProgressTable.userId, learner.userId),
          eq(lessonProgressTable.courseId, courseId),
          eq(lessonProgressTable.lessonId, lessonId),
        ),
      );
  return new Map(rows.map((r) => [r.lessonId, { completedAt: r.completedAt }]));
}

/**
 * Marks a lesson done and completes the course when this was the last missing piece. The first completion of a lesson
 * version is a fact (pressing "Erledigt" again records nothing); the progress row keeps the first completion with the
 * version completed then. Returns whether the course is now complete.
 */
export async function completeLesson(ctx: Ctx, courseId: string, lessonId: string): Promise<{ courseCompleted: boolean }> {
  const learner = await authorizeLearner(ctx);
  const { db, content } = ctx;
  const now = ctx.clock();
  const lesson = requireLesson(content, courseId, lessonId);
  return db.transaction(async (tx) => {
    const fresh = await appendFact(tx, {
      tenantId: learner.tenantId,
      type: 'lesson.completed',
      userId: learner.userId,
      subject: courseId,
      ref: lesson.id,
      version: lesson.version,
      how: 'online',
      effectiveAt: now,
      actorId: learner.userId,
      idemKey: `lesson:${learner.userId}:${courseId}:${lesson.id}:${lesson.version}`,
    });
    const [row] = await tx
      .select({ completedAt: lessonProgressTable.completedAt })
      .from(lessonProgressTable)
      .where(
        and(
          eq(lessonProgressTable.tenantId, learner.tenantId),
          eq(lessonProgressTable.userId, learner.userId),
          eq(lessonProgressTable.courseId, courseId),
          eq(lessonProgressTable.lessonId, lessonId),
        ),
      );
    if (!row)
      await tx
        .insert(lessonProgressTable)
        .values({ ...progressRow(learner, courseId, lesson, now), completedAt: now, completedRecordedAt: now });
    else if (!row.completedAt)
      await tx
        .update(lessonProgressTable)
        .set({ completedAt: now, completedRecordedAt: now, lessonVersion: lesson.version, lastSeenAt: now })
        .where(
          and(
            eq(lessonProgressTable.tenantId, learner.tenantId),
            eq(lessonProgressTable.userId, learner.userId),
            eq(lessonProgressTable.courseId, courseId),
            eq(lessonProgressTable.lessonId, lessonId),
          ),
        );
    if (fresh)
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

/** A learner's progress rows in one course, as a statement built once per database (read on every lesson visit). */
const progressLookup = perDatabase((db: Db) =>
  db
    .select({
      lessonId: lessonProgressTable.lessonId,
      completedAt: lessonProgressTable.completedAt,
      lastSeenAt: lessonProgressTable.lastSeenAt,
    })
    .from(lessonProgressTable)
    .where(
      and(
        eq(lessonProgressTable.tenantId, sql.placeholder('tenantId')),
        eq(lessonProgressTable.userId, sql.placeholder('userId')),
        eq(lessonProgressTable.courseId, sql.placeholder('courseId')),
      ),
    )
    .prepare(),
);

async function courseProgressRows(
  db: Db,
  learner: Learner,
  courseId: string,
): Promise<Array<{ lessonId: string; completedAt: Date | null; lastSeenAt: Date }>> {
  return progressLookup(db).all({ tenantId: learner.tenantId, userId: learner.userId, courseId });
}

export async function getLessonProgress(ctx: Ctx, courseId: string): Promise<Map<string, { completedAt: Date | null }>> {
  const learner = await authorizeLearner(ctx);
  const rows = await courseProgressRows(ctx.db, learner, courseId);
  return new Map(rows.map((r) => [r.lessonId, { completedAt: r.completedAt }]));
}
