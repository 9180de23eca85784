/**
 * Recording who attended a session — after it took place, effective at its start: one `session.attended` fact per
 * person in the learning record (append-only; a second recording of the same person writes nothing), each with its
 * audit entry, all in one transaction. Where the attendee's learning path allows it (`inPersonCompletion`), a session
 * linked to a lesson marks the lesson done and one linked to a course completes the course, "in Präsenz", through the
 * same completion verb as online (recordCourseCompletion), which issues the certificates.
 */
import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { courseCompletionTable, lessonProgressTable, userTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { membersOf } from '../cohorts/cohort-members.ts';
import type { ContentSet } from '../content/load-content.ts';
import { actorId, type Ctx } from '../context.ts';
import { ConflictError, ValidationError } from '../errors/domain-errors.ts';
import { pathRulesOf } from '../evidence/content-archive.ts';
import { expiryOf, refresherMonths } from '../evidence/course-status.ts';
import { appendFact, type Tx } from '../evidence/record.ts';
import { completeCourseIfDone, recordCourseCompletion } from '../learning/complete-course.ts';
import type { Learner } from '../learning/learner.ts';
import { resolvePath } from '../learning/resolve-path.ts';
import { requireSession, type TrainingSession } from './session-access.ts';

export const attendanceSchema = z.object({
  sessionId: z.string().regex(/^[0-9A-Za-z-]{1,64}$/),
  userIds: z.array(z.string().regex(/^[0-9A-Za-z-]{1,64}$/)).max(5000),
});

export interface AttendanceResult {
  /** People newly recorded as present. */
  recorded: number;
  /** Courses completed or lessons marked done in person. */
  completions: number;
}

export async function recordAttendance(ctx: Ctx, input: z.input<typeof attendanceSchema>): Promise<AttendanceResult> {
  const parsed = attendanceSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError('Ungültige Auswahl.');
  const { scope, cohort, session } = await requireSession(ctx, parsed.data.sessionId);
  const now = ctx.clock();
  if (session.cancelledAt) throw new ConflictError('Dieser Termin ist abgesagt; für ihn lässt sich keine Anwesenheit erfassen.');
  if (session.startsAt > now) throw new ValidationError('Die Anwesenheit lässt sich erst ab Beginn des Termins erfassen.');
  const wanted = [...new Set(parsed.data.userIds)];
  if (wanted.length === 0) throw new ValidationError('Bitte mindestens eine Person als anwesend auswählen.');
  // members at the session's time or now (someone who joined the cohort since still attended it)
  const [then, today] = await Promise.all([membersOf(ctx, scope, cohort, { asOf: session.startsAt }), membersOf(ctx, scope, cohort)]);
  const members = new Set([...then, ...today].map((m) => m.userId));
  const outside = wanted.filter((u) => !members.has(u));
  if (outside.length > 0)
    throw new ValidationError(
      outside.length === 1
        ? 'Eine der gewählten Personen gehört nicht zur Kohorte dieses Termins. Anwesenheit lässt sich nur für Personen der Kohorte erfassen; es wurde nichts gespeichert.'
        : `${outside.length} der gewählten Personen gehören nicht zur Kohorte dieses Termins. Anwesenheit lässt sich nur für Personen der Kohorte erfassen; es wurde nichts gespeichert.`,
    );
  const people = await ctx.db
    .select({ id: userTable.id, jobRole: userTable.jobRole, orgUnitId: userTable.orgUnitId, createdAt: userTable.createdAt })
    .from(userTable)
    .where(eq(userTable.tenantId, session.tenantId));
  const byId = new Map(people.map((p) => [p.id, p]));
  const by = actorId(ctx.actor);
  return ctx.db.transaction(async (tx) => {
    let recorded = 0;
    let completions = 0;
    for (const userId of wanted) {
      const p = byId.get(userId);
      if (!p) continue;
      const fresh = await appendFact(tx, {
        tenantId: session.tenantId,
        type: 'session.attended',
        userId,
        subject: session.courseId,
        ref: session.id,
        data: {
          kind: session.kind,
          topic: session.topic,
          minutes: session.minutes,
          cohortId: cohort.id,
          courseId: session.courseId,
          lessonId: session.lessonId,
        },
        effectiveAt: session.startsAt,
        recordedAt: now,
        actorId: by,
        idemKey: `session:${session.id}:${userId}`,
      });
      if (!fresh) continue;
      recorded++;
      await appendAuditEvent(tx, {
        tenantId: session.tenantId,
        actorId: by,
        type: 'session.attended',
        subjectId: userId,
        data: { sessionId: session.id, effectiveAt: session.startsAt.toISOString() },
        at: now,
      });
      const learner: Learner = { userId, tenantId: session.tenantId, jobRole: p.jobRole, orgUnitId: p.orgUnitId, since: p.createdAt };
      if (await completeInPerson(tx, ctx.content, session, learner, by, now)) completions++;
    }
    return { recorded, completions };
  });
}

/** The lesson or course of the session, done in person, when the attendee's path allows it. */
async function completeInPerson(
  tx: Tx,
  content: ContentSet,
  session: TrainingSession,
  learner: Learner,
  by: string,
  now: Date,
): Promise<boolean> {
  if (!session.courseId) return false;
  const course = content.courses.get(session.courseId);
  if (!course) return false;
  const assigned = await resolvePath(tx as never, learner, content);
  if (!assigned?.path.inPersonCompletion) return false;
  const at = session.startsAt;
  if (session.lessonId) {
    const lesson = course.lessons.find((l) => l.id === session.lessonId);
    if (!lesson) return false;
    const fresh = await appendFact(tx, {
      tenantId: learner.tenantId,
      type: 'lesson.completed',
      userId: learner.userId,
      subject: course.course.id,
      ref: lesson.id,
      version: lesson.version,
      how: 'in-person',
      data: { sessionId: session.id },
      effectiveAt: at,
      recordedAt: now,
      actorId: by,
      idemKey: `lesson:${learner.userId}:${course.course.id}:${lesson.id}:${lesson.version}`,
    });
    if (!fresh) return false;
    const key = and(
      eq(lessonProgressTable.tenantId, learner.tenantId),
      eq(lessonProgressTable.userId, learner.userId),
      eq(lessonProgressTable.courseId, course.course.id),
      eq(lessonProgressTable.lessonId, lesson.id),
    );
    const [row] = await tx
      .select({ completedAt: lessonProgressTable.completedAt, startedAt: lessonProgressTable.startedAt })
      .from(lessonProgressTable)
      .where(key);
    if (!row)
      await tx.insert(lessonProgressTable).values({
        tenantId: learner.tenantId,
        userId: learner.userId,
        courseId: course.course.id,
        lessonId: lesson.id,
        lessonVersion: lesson.version,
        startedAt: at,
        lastSeenAt: at,
        completedAt: at,
        completedRecordedAt: now,
      });
    else if (!row.completedAt)
      await tx
        .update(lessonProgressTable)
        .set({
          completedAt: at,
          completedRecordedAt: now,
          lessonVersion: lesson.version,
          startedAt: new Date(Math.min(row.startedAt.getTime(), at.getTime())),
        })
        .where(key);
    else return false;
    await appendAuditEvent(tx, {
      tenantId: learner.tenantId,
      actorId: by,
      type: 'lesson.completed',
      subjectId: learner.userId,
      data: { courseId: course.course.id, lessonId: lesson.id, lessonVersion: lesson.version, how: 'in-person', sessionId: session.id },
      at: now,
    });
    // the lesson may have been the last missing piece (with the quiz passed online)
    await completeCourseIfDone(tx, learner, course.course.id, content, now);
    return true;
  }
  // a course completed before and still valid at the session's time is not completed again
  const [last] = await tx
    .select({ completedAt: courseCompletionTable.completedAt })
    .from(courseCompletionTable)
    .where(
      and(
        eq(courseCompletionTable.tenantId, learner.tenantId),
        eq(courseCompletionTable.userId, learner.userId),
        eq(courseCompletionTable.courseId, course.course.id),
      ),
    )
    .orderBy(desc(courseCompletionTable.completedAt))
    .limit(1);
  if (last) {
    const months = refresherMonths(pathRulesOf(assigned.path), course.course.id, [...content.paths.values()].map(pathRulesOf));
    if (last.completedAt <= at && expiryOf(last.completedAt, months) > at) return false;
    if (last.completedAt > at) return false;
  }
  const id = await recordCourseCompletion(tx, {
    learner,
    courseId: course.course.id,
    content,
    how: 'in-person',
    at,
    recordedAt: now,
    actorId: by,
    idemKey: `course-in-person:${session.id}:${learner.userId}`,
  });
  return id !== null;
}
