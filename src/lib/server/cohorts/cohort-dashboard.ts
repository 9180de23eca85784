/**
 * The multiplier's dashboard of one cohort: headline figures now and a month ago, progress per course and per job
 * role, completions per week over the last 12 months. Every status comes from the one status rule via
 * computeStatusAsOf (members fetched in bulk, no query per person); the weekly completions from the learning record.
 */
import { eq, sql } from 'drizzle-orm';
import { tenantTable } from '../../../../db/schema/index.ts';
import { berlinDateAndTime, berlinOffsetMinutes, berlinWallTime } from '../../shared/dates.ts';
import { formatDate } from '../../shared/format.ts';
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { addMonths, type CourseStatus } from '../evidence/course-status.ts';
import { computeStatusAsOf, type PersonStatus } from '../evidence/status-as-of.ts';
import { type Cascade, cascadeOfPeople } from '../sessions/cascade.ts';
import { type Cohort, membersOf, requireCohortIn } from './cohort-members.ts';

const DAY = 86_400_000;

/** The headline figures of a group of people (counts of people). */
export interface Headline {
  members: number;
  /** Began at least one course (see hasBegun). */
  started: number;
  /** Completed every required course of their path (none expired). */
  completedPath: number;
  /** Their path's due date has passed without completion. */
  overdue: number;
  /** A completed course expires within the next 60 days (refresher due). */
  refresherDue: number;
}

/** Whether a person has begun a course: visited or done part of it, or completed it (also when now overdue or expired). */
export function hasBegun(c: CourseStatus): boolean {
  return c.state === 'in-progress' || c.completedAt !== null || c.unitsDone > 0;
}

/** Counts the headline figures from statuses of the one status rule. Pure. */
export function headlineOf(people: readonly PersonStatus[]): Headline {
  return {
    members: people.length,
    started: people.filter((p) => p.courses.some(hasBegun)).length,
    completedPath: people.filter((p) => p.path?.covered).length,
    overdue: people.filter((p) => p.path?.state === 'overdue').length,
    refresherDue: people.filter((p) => p.courses.some((c) => c.state === 'refresher-due')).length,
  };
}

export interface CourseProgress {
  courseId: string;
  title: string;
  /** People for whom the course is required, by state. */
  completed: number;
  inProgress: number;
  notStarted: number;
  overdue: number;
  expired: number;
}

export interface JobRoleProgress {
  jobRole: string;
  members: number;
  completedPath: number;
  started: number;
  notStarted: number;
}

export interface CohortDashboard {
  cohort: Cohort;
  asOf: Date;
  /** The comparison date (a month ago), or null when the district's record began later. */
  before: Date | null;
  /** Figures now. */
  current: Headline;
  /** Figures at `before` (members as of then), or null. */
  previous: Headline | null;
  courses: CourseProgress[];
  jobRoles: JobRoleProgress[];
  /** Completions (courses) per week, Monday to Sunday in Berlin, oldest first, 52 weeks up to this week. */
  weeks: Array<{ start: Date; count: number }>;
  /** The cohort's cascade (its sessions, reached and not reached members), from the same status. */
  cascade: Cascade;
}

/** Monday 00:00 (Berlin) of the week containing `at`. */
export function weekStartBerlin(at: Date): Date {
  const local = new Date(at.getTime() + berlinOffsetMinutes(at) * 60_000);
  const day = (local.getUTCDay() + 6) % 7;
  const mondayWall = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() - day);
  return new Date(mondayWall - berlinOffsetMinutes(new Date(mondayWall)) * 60_000);
}

export async function getCohortDashboard(ctx: Ctx, cohortId: string): Promise<CohortDashboard> {
  const scope = await authorize(ctx, 'cohort.view', { cohortId });
  const cohort = await requireCohortIn(ctx, scope, cohortId);
  const now = ctx.clock();
  // the start of the Berlin day a month ago: the figures of then stay the same all day (and are kept, status-memo.ts)
  const monthAgo = berlinWallTime(berlinDateAndTime(addMonths(now, -1)).date, '00:00') as Date;
  const [tenant] = await ctx.db
    .select({ start: tenantTable.recordStartedAt })
    .from(tenantTable)
    .where(eq(tenantTable.id, scope.tenantId as string));
  const before = tenant?.start && tenant.start <= monthAgo ? monthAgo : null;
  const [members, membersThen] = await Promise.all([
    membersOf(ctx, scope, cohort),
    before ? membersOf(ctx, scope, cohort, { asOf: before }) : Promise.resolve(null),
  ]);
  const ids = members.map((m) => m.userId);
  const [current, past] = await Promise.all([
    computeStatusAsOf(ctx, scope, { asOf: now, recordedBy: now, userIds: ids, current: true }),
    before && membersThen
      ? computeStatusAsOf(ctx, scope, { asOf: before, recordedBy: now, userIds: membersThen.map((m) => m.userId) })
      : Promise.resolve(null),
  ]);
  const people = current.people;

  const courseIds = [...new Set(people.flatMap((p) => p.courses.filter((c) => c.required).map((c) => c.courseId)))];
  const order = (id: string) => ctx.content.courses.get(id)?.course.order ?? 999;
  courseIds.sort((a, b) => order(a) - order(b));
  const courses: CourseProgress[] = courseIds.map((courseId) => {
    const states = people.flatMap((p) => p.courses.filter((c) => c.required && c.courseId === courseId).map((c) => c.state));
    const count = (...s: string[]) => states.filter((x) => s.includes(x)).length;
    return {
      courseId,
      title: ctx.content.courses.get(courseId)?.course.title ?? courseId,
      completed: count('completed', 'refresher-due'),
      inProgress: count('in-progress'),
      notStarted: count('not-started'),
      overdue: count('overdue'),
      expired: count('expired'),
    };
  });
  const roles = new Map<string, JobRoleProgress>();
  for (const p of people) {
    const r = roles.get(p.jobRole) ?? { jobRole: p.jobRole, members: 0, completedPath: 0, started: 0, notStarted: 0 };
    r.members++;
    if (p.path?.covered) r.completedPath++;
    else if (p.courses.some(hasBegun)) r.started++;
    else r.notStarted++;
    roles.set(p.jobRole, r);
  }

  // completions per week from the record (learning_events_type_idx: tenant, type, person)
  const thisWeek = weekStartBerlin(now);
  const first = weekStartBerlin(new Date(thisWeek.getTime() - 51 * 7 * DAY));
  const rows = await ctx.db.all<{ at: number }>(sql`
    SELECT effective_at AS at FROM learning_events
     WHERE tenant_id = ${scope.tenantId} AND type = 'course.completed'
       AND user_id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))
       AND effective_at >= ${first.getTime()} AND effective_at <= ${now.getTime()}`);
  const weeks: Array<{ start: Date; count: number }> = [];
  for (let w = first; w <= thisWeek; w = weekStartBerlin(new Date(w.getTime() + 7 * DAY + 12 * 3_600_000)))
    weeks.push({ start: w, count: 0 });
  // each completion into its week by the weeks' starts (binary search; no time-zone arithmetic per row)
  const starts = weeks.map((w) => w.start.getTime());
  for (const r of rows) {
    let lo = 0;
    let hi = starts.length - 1;
    if (r.at < (starts[0] as number)) continue;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= r.at) lo = mid;
      else hi = mid - 1;
    }
    (weeks[lo] as { count: number }).count++;
  }

  const cascade = await cascadeOfPeople(ctx, scope, [cohort.id], people);
  return {
    cohort,
    asOf: now,
    cascade,
    before,
    current: headlineOf(people),
    previous: past ? headlineOf(past.people) : null,
    courses,
    jobRoles: [...roles.values()].sort((a, b) => b.members - a.members),
    weeks,
  };
}

/** "seit 03.11.2026: +4" style text of a change, for the headline tiles. */
export function changeText(now: number, then: number | null, before: Date | null): string {
  if (then === null || !before) return 'kein Vergleich: die Aufzeichnung begann später';
  const d = now - then;
  return `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d)} seit ${formatDate(before)}`;
}
