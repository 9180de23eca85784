/**
 * The one status rule of KIKO: for people × courses as of a time T, from the facts valid then, it says whether a
 * course is not started, in progress, completed (when, which version, how), overdue, due for a refresher or expired,
 * and the percentages and dates that go with it. Pure: loaders (load-status-facts.ts for any past T from the
 * learning record, load-learner-facts.ts for one learner now) feed it; learner pages, certificates, dashboards and
 * exports call it. Nothing else computes a percentage, a due date or a refresher date.
 */
import type { CompletionWay } from '../../../../db/schema/index.ts';

const DAY = 86_400_000;
/** A completed course shows "refresher due" this many days before it expires. */
export const REFRESHER_WINDOW_DAYS = 60;
/** A path is "due soon" this many days before its due date. */
export const DUE_SOON_DAYS = 14;
/** Refresher interval of a course no path requires. */
export const DEFAULT_REFRESHER_MONTHS = 24;

export type CourseState = 'not-started' | 'in-progress' | 'completed' | 'refresher-due' | 'overdue' | 'expired';

/** The rules of a learning path as valid at T (from its archived version). */
export interface PathRules {
  id: string;
  version: string | null;
  title: string;
  required: readonly string[];
  optional: readonly string[];
  dueDays: number;
  refresherMonths: number;
}

/** Facts of one person and one course up to T. */
export interface CourseFacts {
  /** Distinct lessons completed. */
  lessonsDone: number;
  /** Any lesson visited or quiz attempt started. */
  started: boolean;
  quizAttempts: number;
  quizPassed: boolean;
  /** Best submitted score as share (score, max). */
  bestScore: { score: number; max: number } | null;
  /** Latest completion up to T. */
  lastCompletion: { at: Date; version: string; how: CompletionWay } | null;
}

export interface CourseStatus {
  courseId: string;
  required: boolean;
  state: CourseState;
  lessonsDone: number;
  lessonsTotal: number;
  /** Lessons plus the quiz (if any): the units the percentage counts. */
  units: number;
  unitsDone: number;
  /** 0–100 over the course's lessons and quiz. */
  percent: number;
  quizBestPercent: number | null;
  quizPassed: boolean;
  completedAt: Date | null;
  completedVersion: string | null;
  completedHow: CompletionWay | null;
  /** When the completion expires (the refresher is due). */
  refresherDueAt: Date | null;
  /** Due date of the path for a required course not yet completed. */
  dueAt: Date | null;
}

export interface PathAssignmentAt {
  source: 'person' | 'org-unit' | 'job-role';
  assignedAt: Date;
  /** Explicit due date, or null for the path's dueDays after assignment. */
  dueAt: Date | null;
}

export interface PathStatus {
  pathId: string;
  state: 'completed' | 'overdue' | 'due-soon' | 'open' | 'not-due';
  dueAt: Date;
  requiredDone: number;
  requiredTotal: number;
  percent: number;
  completedAt: Date | null;
  /** Every required course completed and none expired (what coverage counts). */
  covered: boolean;
}

/** Rounded percentage of a score (0 when there is nothing to score). The only place a percentage is computed. */
export function percentOf(score: number, max: number): number {
  return max > 0 ? Math.round((score / max) * 100) : 0;
}

export function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

/**
 * Refresher interval of a course for a person: their own path's interval when it contains the course, else the
 * shortest interval of the paths that require it, else 24 months. The one refresher rule.
 */
export function refresherMonths(personPath: PathRules | null, courseId: string, allPaths: Iterable<PathRules>): number {
  if (personPath && (personPath.required.includes(courseId) || personPath.optional.includes(courseId))) return personPath.refresherMonths;
  // the same path rules serve every person of a bulk computation: the shortest interval per course is worked out once
  let perCourse = shortestInterval.get(allPaths);
  if (!perCourse) {
    perCourse = new Map();
    shortestInterval.set(allPaths, perCourse);
  }
  let months = perCourse.get(courseId);
  if (months === undefined) {
    const all = [...allPaths].filter((p) => p.required.includes(courseId)).map((p) => p.refresherMonths);
    months = all.length > 0 ? Math.min(...all) : DEFAULT_REFRESHER_MONTHS;
    perCourse.set(courseId, months);
  }
  return months;
}
/** Per set of path rules (held as long as the rules are): course → shortest refresher interval of the paths requiring it. */
const shortestInterval = new WeakMap<Iterable<PathRules>, Map<string, number>>();

/** When a completion at `at` expires. */
export function expiryOf(at: Date, months: number): Date {
  return addMonths(at, months);
}

export function pathDueAt(path: PathRules, assignment: PathAssignmentAt): Date {
  return assignment.dueAt ?? new Date(assignment.assignedAt.getTime() + path.dueDays * DAY);
}

/** Status of one course for one person as of `asOf`. */
export function courseStatus(input: {
  courseId: string;
  lessonsTotal: number;
  hasQuiz: boolean;
  facts: CourseFacts | undefined;
  path: PathRules | null;
  assignment: PathAssignmentAt | null;
  allPaths: Iterable<PathRules>;
  asOf: Date;
}): CourseStatus {
  const { courseId, lessonsTotal, hasQuiz, path, assignment, asOf } = input;
  const f = input.facts;
  const required = path?.required.includes(courseId) ?? false;
  const last = f?.lastCompletion ?? null;
  const months = refresherMonths(path, courseId, input.allPaths);
  const refresherDueAt = last ? expiryOf(last.at, months) : null;
  const dueAt = required && path && assignment ? pathDueAt(path, assignment) : null;
  let state: CourseState;
  if (last && refresherDueAt) {
    if (asOf >= refresherDueAt) state = 'expired';
    else if (refresherDueAt.getTime() - asOf.getTime() <= REFRESHER_WINDOW_DAYS * DAY) state = 'refresher-due';
    else state = 'completed';
  } else if (dueAt && asOf > dueAt) state = 'overdue';
  else state = f?.started || (f?.lessonsDone ?? 0) > 0 ? 'in-progress' : 'not-started';
  const units = lessonsTotal + (hasQuiz ? 1 : 0);
  const done = last ? units : Math.min(f?.lessonsDone ?? 0, lessonsTotal) + (hasQuiz && f?.quizPassed ? 1 : 0);
  return {
    courseId,
    required,
    state,
    lessonsDone: last ? lessonsTotal : Math.min(f?.lessonsDone ?? 0, lessonsTotal),
    lessonsTotal,
    units,
    unitsDone: done,
    percent: percentOf(done, units),
    quizBestPercent: f?.bestScore ? percentOf(f.bestScore.score, f.bestScore.max) : null,
    quizPassed: f?.quizPassed ?? false,
    completedAt: last?.at ?? null,
    completedVersion: last?.version ?? null,
    completedHow: last?.how ?? null,
    refresherDueAt,
    dueAt,
  };
}

/** A course counts as valid evidence while completed and not expired. */
export function isValid(state: CourseState): boolean {
  return state === 'completed' || state === 'refresher-due';
}

/** Status of a person's path from the statuses of its courses. */
export function pathStatus(path: PathRules, assignment: PathAssignmentAt, courses: readonly CourseStatus[], asOf: Date): PathStatus {
  const required = courses.filter((c) => c.required);
  const valid = required.filter((c) => isValid(c.state));
  const units = required.reduce((s, c) => s + c.units, 0);
  const unitsDone = required.reduce((s, c) => s + c.unitsDone, 0);
  const dueAt = pathDueAt(path, assignment);
  const covered = required.length > 0 && valid.length === required.length;
  const completedAt = covered ? new Date(Math.max(...required.map((c) => c.completedAt?.getTime() ?? 0))) : null;
  const state: PathStatus['state'] = covered
    ? 'completed'
    : asOf > dueAt
      ? 'overdue'
      : dueAt.getTime() - asOf.getTime() < DUE_SOON_DAYS * DAY
        ? 'due-soon'
        : assignment.assignedAt > asOf
          ? 'not-due'
          : 'open';
  return {
    pathId: path.id,
    state,
    dueAt,
    requiredDone: valid.length,
    requiredTotal: required.length,
    percent: percentOf(unitsDone, units),
    completedAt,
    covered,
  };
}

/**
 * The first instant after `asOf` at which a person's statuses change without any new fact: a course or path due date
 * passes, a path becomes "due soon" or starts, a refresher window opens or a completion expires. Infinity if none.
 * Lets stored figures for "now" stay exact while time moves on (status-memo.ts).
 */
export function nextStatusChange(
  courses: readonly CourseStatus[],
  path: PathStatus | null,
  assignment: PathAssignmentAt | null,
  asOf: Date,
): number {
  const t = asOf.getTime();
  let next = Number.POSITIVE_INFINITY;
  const consider = (at: number) => {
    if (at > t && at < next) next = at;
  };
  for (const c of courses) {
    if (c.refresherDueAt) {
      consider(c.refresherDueAt.getTime() - REFRESHER_WINDOW_DAYS * DAY);
      consider(c.refresherDueAt.getTime());
    }
    // "overdue" holds once asOf is past the due date
    if (c.dueAt) consider(c.dueAt.getTime() + 1);
  }
  if (path) {
    consider(path.dueAt.getTime() + 1);
    consider(path.dueAt.getTime() - DUE_SOON_DAYS * DAY + 1);
  }
  if (assignment) consider(assignment.assignedAt.getTime());
  return next;
}
