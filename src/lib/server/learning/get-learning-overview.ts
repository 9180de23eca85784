/**
 * "Mein Lernpfad": the learner's path with each course's status (from the one status rule), estimated minutes,
 * lessons, quiz result, completion, due and refresher dates, and where to continue. Four queries, whatever the path size.
 */
import { and, desc, eq } from 'drizzle-orm';
import { courseCompletionTable, lessonProgressTable, quizAttemptTable } from '../../../../db/schema/index.ts';
import type { LoadedCourse } from '../content/load-content.ts';
import type { Ctx } from '../context.ts';
import { pathRulesOf } from '../evidence/content-archive.ts';
import {
  type CourseFacts,
  type CourseState,
  type CourseStatus,
  courseStatus,
  type PathStatus,
  pathStatus,
} from '../evidence/course-status.ts';
import { authorizeLearner } from './learner.ts';
import { type AssignedPath, resolvePath } from './resolve-path.ts';

export type { CourseState };

export interface CourseProgress extends CourseStatus {
  id: string;
  title: string;
  summary: string;
  minutes: number;
  lessons: Array<{ id: string; title: string; minutes: number; completedAt: Date | null; lastSeenAt: Date | null }>;
  quiz: { id: string; passed: boolean; bestPercent: number | null; attempts: number } | null;
  /** Lesson to open next: the last one visited and not done, else the first not done. */
  resumeLessonId: string | null;
}

export interface LearningOverview {
  path: AssignedPath | null;
  courses: CourseProgress[];
  status: PathStatus | null;
  /** Course and lesson to continue with. */
  next: { courseId: string; lessonId: string | null } | null;
}

type ProgressRow = typeof lessonProgressTable.$inferSelect;
type AttemptRow = { quizId: string; passed: boolean | null; score: number | null; maxScore: number | null; status: string };

/** The facts of one course for the status rule, from the learner's current-state rows. */
export function courseFactsOf(
  course: LoadedCourse,
  progress: readonly ProgressRow[],
  attempts: readonly AttemptRow[],
  lastCompletion: { completedAt: Date; courseVersion: string } | undefined,
): CourseFacts {
  const quizId = course.course.quiz;
  const submitted = attempts.filter((a) => a.quizId === quizId && a.status === 'submitted');
  const best = submitted.reduce<{ score: number; max: number } | null>((b, a) => {
    if (!a.maxScore) return b;
    const s = { score: a.score ?? 0, max: a.maxScore };
    return !b || s.score / s.max > b.score / b.max ? s : b;
  }, null);
  const lessonIds = new Set(course.lessons.map((l) => l.id));
  return {
    lessonsDone: progress.filter((p) => p.completedAt && lessonIds.has(p.lessonId)).length,
    started: progress.length > 0 || attempts.some((a) => a.quizId === quizId),
    quizAttempts: submitted.length,
    quizPassed: submitted.some((a) => a.passed),
    bestScore: best,
    lastCompletion: lastCompletion ? { at: lastCompletion.completedAt, version: lastCompletion.courseVersion, how: 'online' } : null,
  };
}

export async function getLearningOverview(ctx: Ctx): Promise<LearningOverview> {
  const learner = await authorizeLearner(ctx);
  const { db, content } = ctx;
  const now = ctx.clock();
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
  const rules = path ? pathRulesOf(path.path) : null;
  const allRules = [...content.paths.values()].map(pathRulesOf);
  const assignment = path ? { source: path.source, assignedAt: path.assignedAt, dueAt: path.dueAt } : null;
  const ids = path ? [...path.path.required, ...path.path.optional.filter((c) => !path.path.required.includes(c))] : [];
  const courses = ids
    .map((id) => content.courses.get(id))
    .filter((c): c is LoadedCourse => c !== undefined)
    .map((c): CourseProgress => {
      const mine = progress.filter((p) => p.courseId === c.course.id);
      const quizId = c.course.quiz && content.quizzes.has(c.course.quiz) ? c.course.quiz : null;
      const facts = courseFactsOf(
        c,
        mine,
        attempts,
        completions.find((x) => x.courseId === c.course.id),
      );
      const status = courseStatus({
        courseId: c.course.id,
        lessonsTotal: c.lessons.length,
        hasQuiz: quizId !== null,
        facts,
        path: rules,
        assignment,
        allPaths: allRules,
        asOf: now,
      });
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
      const open = lessons.filter((l) => !l.completedAt);
      const lastSeen = [...open].sort((a, b) => (b.lastSeenAt?.getTime() ?? 0) - (a.lastSeenAt?.getTime() ?? 0))[0];
      return {
        ...status,
        id: c.course.id,
        title: c.course.title,
        summary: c.course.summary,
        minutes: c.minutes,
        lessons,
        quiz: quizId ? { id: quizId, passed: facts.quizPassed, bestPercent: status.quizBestPercent, attempts: facts.quizAttempts } : null,
        resumeLessonId: (lastSeen?.lastSeenAt ? lastSeen.id : open[0]?.id) ?? null,
      };
    });
  const status = rules && assignment ? pathStatus(rules, assignment, courses, now) : null;
  const pending = (c: CourseProgress) => c.state !== 'completed' && c.state !== 'refresher-due';
  const nextCourse = courses.find((c) => c.required && pending(c)) ?? courses.find(pending);
  return { path, courses, status, next: nextCourse ? { courseId: nextCourse.id, lessonId: nextCourse.resumeLessonId } : null };
}
