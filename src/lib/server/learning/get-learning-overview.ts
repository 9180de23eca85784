/**
 * "Mein Lernpfad": the learner's path with each course's progress, estimated minutes, quiz result,
 * completion, due and refresher state, and where to continue. Three queries, whatever the path size.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { courseCompletionTable, lessonProgressTable, quizAttemptTable } from '../../../../db/schema/index.ts';
import type { ContentSet, LoadedCourse } from '../content/load-content.ts';
import { addMonths } from './complete-course.ts';
import type { Learner } from './learner.ts';
import { type AssignedPath, resolvePath } from './resolve-path.ts';

export type CourseState = 'not-started' | 'in-progress' | 'completed';

export interface CourseProgress {
  id: string;
  title: string;
  summary: string;
  required: boolean;
  minutes: number;
  lessons: Array<{ id: string; title: string; minutes: number; completedAt: Date | null; lastSeenAt: Date | null }>;
  lessonsDone: number;
  quiz: { id: string; passed: boolean; bestPercent: number | null; attempts: number } | null;
  state: CourseState;
  completedAt: Date | null;
  refresherDue: Date | null;
  refresherOverdue: boolean;
  /** Lesson to open next: the last one visited and not done, else the first not done. */
  resumeLessonId: string | null;
}

export interface LearningOverview {
  path: AssignedPath | null;
  courses: CourseProgress[];
  requiredDone: number;
  requiredTotal: number;
  /** 0–100, required lessons and quizzes together. */
  percent: number;
  pathState: 'completed' | 'overdue' | 'due-soon' | 'open';
  pathCompletedAt: Date | null;
  /** Course and lesson to continue with. */
  next: { courseId: string; lessonId: string | null } | null;
}

const DUE_SOON_DAYS = 14;

export async function getLearningOverview(db: Db, learner: Learner, content: ContentSet, now = new Date()): Promise<LearningOverview> {
  const path = await resolvePath(db, learner, content);
  const scope = (t: typeof lessonProgressTable | typeof quizAttemptTable | typeof courseCompletionTable) =>
    and(eq(t.tenantId, learner.tenantId), eq(t.userId, learner.userId));
  const [progress, attempts, completions] = await Promise.all([
    db.select().from(lessonProgressTable).where(scope(lessonProgressTable)),
    db
      .select({
        quizId: quizAttemptTable.quizId,
        passed: quizAttemptTable.passed,
        score: quizAttemptTable.score,
        maxScore: quizAttemptTable.maxScore,
        status: quizAttemptTable.status,
      })
      .from(quizAttemptTable)
      .where(scope(quizAttemptTable)),
    db.select().from(courseCompletionTable).where(scope(courseCompletionTable)).orderBy(desc(courseCompletionTable.completedAt)),
  ]);
  const ids = path ? [...path.path.required, ...path.path.optional.filter((c) => !path.path.required.includes(c))] : [];
  const courses = ids
    .map((id) => content.courses.get(id))
    .filter((c): c is LoadedCourse => c !== undefined)
    .map((c) =>
      courseProgress(
        c,
        path?.path.required.includes(c.course.id) ?? false,
        content,
        progress,
        attempts,
        completions,
        path?.path.refresherMonths ?? 24,
        now,
      ),
    );

  const required = courses.filter((c) => c.required);
  const units = required.reduce((s, c) => s + c.lessons.length + (c.quiz ? 1 : 0), 0);
  const unitsDone = required.reduce(
    (s, c) => s + (c.state === 'completed' ? c.lessons.length + (c.quiz ? 1 : 0) : c.lessonsDone + (c.quiz?.passed ? 1 : 0)),
    0,
  );
  const requiredDone = required.filter((c) => c.state === 'completed').length;
  const done = required.length > 0 && requiredDone === required.length;
  const pathCompletedAt = done ? new Date(Math.max(...required.map((c) => c.completedAt?.getTime() ?? 0))) : null;
  const pathState = done
    ? 'completed'
    : path && now > path.dueAt
      ? 'overdue'
      : path && path.dueAt.getTime() - now.getTime() < DUE_SOON_DAYS * 86_400_000
        ? 'due-soon'
        : 'open';
  const nextCourse = required.find((c) => c.state !== 'completed') ?? courses.find((c) => c.state !== 'completed');
  return {
    path,
    courses,
    requiredDone,
    requiredTotal: required.length,
    percent: units === 0 ? 0 : Math.round((unitsDone / units) * 100),
    pathState,
    pathCompletedAt,
    next: nextCourse ? { courseId: nextCourse.id, lessonId: nextCourse.resumeLessonId } : null,
  };
}

function courseProgress(
  c: LoadedCourse,
  required: boolean,
  content: ContentSet,
  progress: Array<typeof lessonProgressTable.$inferSelect>,
  attempts: Array<{ quizId: string; passed: boolean | null; score: number | null; maxScore: number | null; status: string }>,
  completions: Array<typeof courseCompletionTable.$inferSelect>,
  refresherMonths: number,
  now: Date,
): CourseProgress {
  const mine = progress.filter((p) => p.courseId === c.course.id);
  const lessons = c.lessons.map((l) => {
    const p = mine.find((m) => m.lessonId === l.id);
    return {
      id: l.id,
      title: l.frontmatter.title,
      minutes: l.frontmatter.minutes,
      completedAt: p?.completedAt ?? null,
      lastSeenAt: p?.lastSeenAt ?? null,
    };
  });
  const lessonsDone = lessons.filter((l) => l.completedAt).length;
  const quizId = c.course.quiz && content.quizzes.has(c.course.quiz) ? c.course.quiz : null;
  const quizAttempts = quizId ? attempts.filter((a) => a.quizId === quizId && a.status === 'submitted') : [];
  const best = quizAttempts.reduce<number | null>(
    (m, a) => (a.maxScore ? Math.max(m ?? 0, Math.round(((a.score ?? 0) / a.maxScore) * 100)) : m),
    null,
  );
  const completion = completions.find((x) => x.courseId === c.course.id) ?? null;
  const completedAt = completion?.completedAt ?? null;
  const refresherDue = completedAt ? addMonths(completedAt, refresherMonths) : null;
  const open = lessons.filter((l) => !l.completedAt);
  const lastSeen = [...open].sort((a, b) => (b.lastSeenAt?.getTime() ?? 0) - (a.lastSeenAt?.getTime() ?? 0))[0];
  return {
    id: c.course.id,
    title: c.course.title,
    summary: c.course.summary,
    required,
    minutes: c.minutes,
    lessons,
    lessonsDone,
    quiz: quizId ? { id: quizId, passed: quizAttempts.some((a) => a.passed), bestPercent: best, attempts: quizAttempts.length } : null,
    state: completedAt ? 'completed' : mine.length > 0 || quizAttempts.length > 0 ? 'in-progress' : 'not-started',
    completedAt,
    refresherDue,
    refresherOverdue: refresherDue !== null && refresherDue < now,
    resumeLessonId: (lastSeen?.lastSeenAt ? lastSeen.id : open[0]?.id) ?? null,
  };
}
