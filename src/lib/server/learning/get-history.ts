/**
 * "Mein Verlauf": the learner's own learning record — every fact with when it took effect, when it was recorded,
 * which content version and how — newest first, plus the submitted quiz attempts with their results.
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import { type LearningEventType, learningEventTable, quizAttemptTable } from '../../../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import { describeVersions } from '../evidence/content-archive.ts';
import { percentOf } from '../evidence/course-status.ts';
import { authorizeLearner } from './learner.ts';

/** Facts a person sees in their record (responses are summarised in their attempt). */
const shown: LearningEventType[] = [
  'lesson.completed',
  'quiz.submitted',
  'course.completed',
  'certificate.issued',
  'certificate.revoked',
  'path.assigned',
  'path.unassigned',
  'membership.changed',
  'session.attended',
];

export interface HistoryEntry {
  type: LearningEventType;
  effectiveAt: Date;
  recordedAt: Date;
  /** What the fact is about (course, lesson, quiz or path title; the archived title of the version learned). */
  title: string;
  version: string | null;
  /** False when the version was only seen before KIKO archived content ("nicht archiviert"). */
  archived: boolean | null;
  how: string | null;
  /** Quiz result in percent (quiz.submitted). */
  percent: number | null;
  passed: boolean | null;
  /** Attempt id for quiz.submitted (link to the review). */
  ref: string | null;
  courseId: string | null;
}

export interface LearningHistory {
  entries: HistoryEntry[];
}

export async function getLearningHistory(ctx: Ctx): Promise<LearningHistory> {
  const learner = await authorizeLearner(ctx);
  const rows = await ctx.db
    .select()
    .from(learningEventTable)
    .where(
      and(
        eq(learningEventTable.tenantId, learner.tenantId),
        eq(learningEventTable.userId, learner.userId),
        inArray(learningEventTable.type, shown),
      ),
    )
    .orderBy(desc(learningEventTable.effectiveAt), desc(learningEventTable.seq));
  const content = ctx.content;
  const lessonKey = (r: (typeof rows)[number]) => `${r.subject}/${r.ref}`;
  const [lessons, courses, quizzes] = await Promise.all([
    describeVersions(ctx.db, 'lesson', rows.filter((r) => r.type === 'lesson.completed').map(lessonKey)),
    describeVersions(
      ctx.db,
      'course',
      rows.filter((r) => r.type === 'course.completed').map((r) => r.subject ?? ''),
    ),
    describeVersions(
      ctx.db,
      'quiz',
      rows.filter((r) => r.type === 'quiz.submitted').map((r) => r.subject ?? ''),
    ),
  ]);
  const entries = rows.map((r): HistoryEntry => {
    const d = r.data as Record<string, unknown>;
    let title = r.subject ?? '';
    let archived: boolean | null = null;
    let courseId: string | null = null;
    if (r.type === 'lesson.completed') {
      const v = lessons.get(`${lessonKey(r)}@${r.version}`);
      title = v?.title ?? content.courses.get(r.subject ?? '')?.lessons.find((l) => l.id === r.ref)?.frontmatter.title ?? r.ref ?? '';
      archived = v?.archived ?? false;
      courseId = r.subject;
    } else if (r.type === 'course.completed') {
      const v = courses.get(`${r.subject}@${r.version}`);
      title = v?.title ?? content.courses.get(r.subject ?? '')?.course.title ?? title;
      archived = v?.archived ?? false;
      courseId = r.subject;
    } else if (r.type === 'quiz.submitted') {
      const v = quizzes.get(`${r.subject}@${r.version}`);
      title = v?.title ?? content.quizzes.get(r.subject ?? '')?.quiz.title ?? title;
      archived = v?.archived ?? false;
      courseId = typeof d.courseId === 'string' ? d.courseId : null;
    } else if (r.type === 'path.assigned' || r.type === 'path.unassigned') title = content.paths.get(r.subject ?? '')?.title ?? title;
    else if (r.type === 'certificate.issued' || r.type === 'certificate.revoked') title = r.ref ?? '';
    else if (r.type === 'session.attended') title = typeof d.topic === 'string' ? d.topic : title;
    const score = typeof d.score === 'number' ? d.score : null;
    const max = typeof d.max === 'number' ? d.max : null;
    return {
      type: r.type,
      effectiveAt: r.effectiveAt,
      recordedAt: r.recordedAt,
      title,
      version: r.version,
      archived,
      how: r.how,
      percent: score !== null && max !== null ? percentOf(score, max) : null,
      passed: typeof d.passed === 'boolean' ? d.passed : null,
      ref: r.ref,
      courseId,
    };
  });
  return { entries };
}

/** The learner's attempts at the quiz of one course, newest first (quiz start page). */
export async function listOwnAttempts(
  ctx: Ctx,
  courseId: string,
): Promise<
  Array<{ id: string; status: string; startedAt: Date; submittedAt: Date | null; percent: number | null; passed: boolean | null }>
> {
  const learner = await authorizeLearner(ctx);
  const rows = await ctx.db
    .select()
    .from(quizAttemptTable)
    .where(
      and(
        eq(quizAttemptTable.tenantId, learner.tenantId),
        eq(quizAttemptTable.userId, learner.userId),
        eq(quizAttemptTable.courseId, courseId),
      ),
    )
    .orderBy(desc(quizAttemptTable.startedAt));
  return rows.map((a) => ({
    id: a.id,
    status: a.status,
    startedAt: a.startedAt,
    submittedAt: a.submittedAt,
    percent: a.maxScore ? percentOf(a.score ?? 0, a.maxScore) : null,
    passed: a.passed,
  }));
}
