/**
 * Rebuilds the current-state projections of one district from the learning record alone, for comparison with the
 * stored tables (tests, `kiko db check`): lessons done, lessons per person and course, course completions, submitted
 * attempts, active path assignments and each person's membership. Any difference means a write path skipped the record.
 */
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { learningEventTable } from '../../../../db/schema/index.ts';

export interface Projections {
  /** "user|course|lesson" → first completion (ms) */
  lessonsDone: Map<string, number>;
  /** "user|course" → "lessons started or completed|lessons completed" (course_progress) */
  courseProgress: Map<string, string>;
  /** completion id → "user|course|version|ms" */
  completions: Map<string, string>;
  /** attempt id → "user|quiz|version|score|max|passed" */
  submitted: Map<string, string>;
  /** assignment id → "user|unit|path" */
  assignments: Map<string, string>;
  /** user → "orgUnit|jobRole" */
  memberships: Map<string, string>;
}

export async function projectionsFromRecord(db: Db, tenantId: string): Promise<Projections> {
  const rows = await db
    .select()
    .from(learningEventTable)
    .where(eq(learningEventTable.tenantId, tenantId))
    .orderBy(asc(learningEventTable.effectiveAt), asc(learningEventTable.seq));
  const p: Projections = {
    lessonsDone: new Map(),
    courseProgress: new Map(),
    completions: new Map(),
    submitted: new Map(),
    assignments: new Map(),
    memberships: new Map(),
  };
  // every lesson a person started or completed has a lesson_progress row
  const lessonsSeen = new Set<string>();
  for (const r of rows) {
    const d = r.data as Record<string, unknown>;
    if (r.type === 'lesson.started' || r.type === 'lesson.completed') lessonsSeen.add(`${r.userId}|${r.subject}|${r.ref}`);
    if (r.type === 'lesson.completed') {
      const key = `${r.userId}|${r.subject}|${r.ref}`;
      if (!p.lessonsDone.has(key)) p.lessonsDone.set(key, r.effectiveAt.getTime());
    } else if (r.type === 'course.completed')
      p.completions.set(r.ref as string, `${r.userId}|${r.subject}|${r.version}|${r.effectiveAt.getTime()}`);
    else if (r.type === 'quiz.submitted')
      p.submitted.set(r.ref as string, `${r.userId}|${r.subject}|${r.version}|${d.score}|${d.max}|${d.passed}`);
    else if (r.type === 'path.assigned') p.assignments.set(r.ref as string, `${r.userId ?? ''}|${r.orgUnitId ?? ''}|${r.subject}`);
    else if (r.type === 'path.unassigned') p.assignments.delete(r.ref as string);
    else if (r.type === 'membership.changed') p.memberships.set(r.userId as string, `${d.orgUnitId ?? ''}|${d.jobRole}`);
  }
  const perCourse = new Map<string, { lessons: number; done: number }>();
  for (const key of lessonsSeen) {
    const course = key.slice(0, key.lastIndexOf('|'));
    const c = perCourse.get(course) ?? { lessons: 0, done: 0 };
    c.lessons++;
    if (p.lessonsDone.has(key)) c.done++;
    perCourse.set(course, c);
  }
  for (const [course, c] of perCourse) p.courseProgress.set(course, `${c.lessons}|${c.done}`);
  return p;
}
