/**
 * Status of many people × their courses as of a time T, "as recorded by" R: bulk facts from the learning record
 * (a constant number of queries, none per person) fed to the one status rule (course-status.ts). Memberships,
 * assignments and path rules are those valid at T; facts recorded after R are ignored, so a figure with a fixed R
 * never changes. Path inheritance follows the org tree of today (org units are not yet versioned).
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { learningEventTable, orgUnitTable, tenantTable } from '../../../../db/schema/index.ts';
import { formatDate } from '../../shared/format.ts';
import { authorize, type Scope } from '../authz/authorize.ts';
import type { ContentSet } from '../content/load-content.ts';
import type { Ctx } from '../context.ts';
import { NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { defaultPathFor } from '../learning/resolve-path.ts';
import { pathRulesAt } from './content-archive.ts';
import {
  type CourseFacts,
  type CourseStatus,
  courseStatus,
  type PathAssignmentAt,
  type PathRules,
  type PathStatus,
  pathStatus,
} from './course-status.ts';

export interface PersonStatus {
  userId: string;
  orgUnitId: string | null;
  jobRole: string;
  status: string;
  pathId: string | null;
  path: PathStatus | null;
  courses: CourseStatus[];
}

export interface StatusAsOf {
  asOf: Date;
  recordedBy: Date;
  people: PersonStatus[];
  /** Path rules used (id → version), printed with every figure. */
  pathVersions: Record<string, string | null>;
}

interface MembershipRow {
  user_id: string;
  data: string;
  first_at: number;
}
interface AssignmentRow {
  type: string;
  user_id: string | null;
  org_unit_id: string | null;
  subject: string;
  ref: string;
  data: string;
  effective_at: number;
}
interface AggRow {
  user_id: string;
  course: string | null;
  type: string;
  n: number;
  passed: number | null;
  best_score: number | null;
  best_max: number | null;
}
interface CompletionRow {
  user_id: string;
  subject: string;
  version: string;
  how: string;
  effective_at: number;
}

/** Checks T and R: not in the future, not before the district's record began. */
export async function checkAsOf(db: Db, now: Date, tenantId: string, asOf: Date, recordedBy: Date): Promise<void> {
  if (Number.isNaN(asOf.getTime()) || Number.isNaN(recordedBy.getTime())) throw new ValidationError('Bitte ein gültiges Datum angeben.');
  if (asOf > now) throw new ValidationError(`Der Stichtag ${formatDate(asOf)} liegt in der Zukunft. Bitte ein Datum bis heute wählen.`);
  if (recordedBy > now) throw new ValidationError(`Der Erfassungsstand ${formatDate(recordedBy)} liegt in der Zukunft.`);
  const [t] = await db.select({ start: tenantTable.recordStartedAt }).from(tenantTable).where(eq(tenantTable.id, tenantId));
  if (!t) throw new NotFoundError('Diesen Landkreis gibt es nicht.');
  if (!t.start || asOf < t.start)
    throw new ValidationError(
      `Für den ${formatDate(asOf)} gibt es in KIKO keinen Nachweis: Die Aufzeichnung des Landkreises beginnt am ${formatDate(t.start)}.`,
    );
}

/** Loads the facts valid at T (recorded by R) for one district and computes every person's status. */
export async function computeStatusAsOf(
  ctx: Ctx,
  scope: Scope,
  /** `userIds`: only these people (a cohort); default everyone in scope. */
  opts: { asOf: Date; recordedBy?: Date; userIds?: readonly string[] },
): Promise<StatusAsOf> {
  const tenantId = scope.tenantId as string;
  // a cohort's people travel as one JSON parameter; the person index then serves every query
  const only = opts.userIds ? sql` AND user_id IN (SELECT value FROM json_each(${JSON.stringify(opts.userIds)}))` : sql``;
  const asOf = opts.asOf;
  const recordedBy = opts.recordedBy ?? ctx.clock();
  await checkAsOf(ctx.db, ctx.clock(), tenantId, asOf, recordedBy);
  const T = asOf.getTime();
  const R = recordedBy.getTime();
  const db = ctx.db;
  const ev = learningEventTable;
  const [memberships, assignments, agg, completions, units, rules] = await Promise.all([
    db.all<MembershipRow>(sql`
      SELECT user_id, data, first_at FROM (
        SELECT user_id, data, min(effective_at) OVER (PARTITION BY user_id) AS first_at,
               row_number() OVER (PARTITION BY user_id ORDER BY effective_at DESC, seq DESC) AS rn
          FROM ${ev} WHERE tenant_id = ${tenantId} AND type = 'membership.changed' AND effective_at <= ${T} AND recorded_at <= ${R}${only})
       WHERE rn = 1`),
    db.all<AssignmentRow>(sql`
      SELECT type, user_id, org_unit_id, subject, ref, data, effective_at FROM ${ev}
       WHERE tenant_id = ${tenantId} AND type IN ('path.assigned', 'path.unassigned') AND effective_at <= ${T} AND recorded_at <= ${R}
       ORDER BY effective_at, seq`),
    db.all<AggRow>(sql`
      SELECT user_id,
             CASE WHEN type IN ('quiz.started', 'quiz.submitted') THEN json_extract(data, '$.courseId') ELSE subject END AS course,
             type, count(DISTINCT ref) AS n,
             max(CASE WHEN type = 'quiz.submitted' THEN json_extract(data, '$.passed') END) AS passed,
             max(CASE WHEN type = 'quiz.submitted' AND json_extract(data, '$.max') > 0
                      THEN json_extract(data, '$.score') * 1.0 / json_extract(data, '$.max') END) AS best_score,
             1 AS best_max
        FROM ${ev}
       WHERE tenant_id = ${tenantId} AND type IN ('lesson.started', 'lesson.completed', 'quiz.started', 'quiz.submitted')
         AND effective_at <= ${T} AND recorded_at <= ${R}${only}
       GROUP BY 1, 2, 3`),
    db.all<CompletionRow>(sql`
      SELECT user_id, subject, version, how, effective_at FROM (
        SELECT user_id, subject, version, how, effective_at,
               row_number() OVER (PARTITION BY user_id, subject ORDER BY effective_at DESC, seq DESC) AS rn
          FROM ${ev} WHERE tenant_id = ${tenantId} AND type = 'course.completed' AND effective_at <= ${T} AND recorded_at <= ${R}${only})
       WHERE rn = 1`),
    db.select({ id: orgUnitTable.id, parentId: orgUnitTable.parentId }).from(orgUnitTable).where(eq(orgUnitTable.tenantId, tenantId)),
    pathRulesAt(db, ctx.content, asOf),
  ]);

  // active assignments at T: the latest "assigned" per ref without a later "unassigned"
  const active = new Map<string, AssignmentRow>();
  for (const a of assignments)
    if (a.type === 'path.assigned') active.set(a.ref, a);
    else active.delete(a.ref);
  const byPerson = new Map<string, AssignmentRow>();
  const byUnit = new Map<string, AssignmentRow>();
  for (const a of active.values()) {
    if (a.user_id) byPerson.set(a.user_id, a);
    else if (a.org_unit_id) byUnit.set(a.org_unit_id, a);
  }
  const parent = new Map(units.map((u) => [u.id, u.parentId]));
  const unitAssignment = (unitId: string | null): AssignmentRow | undefined => {
    for (let u = unitId, depth = 0; u && depth < 32; u = parent.get(u) ?? null, depth++) {
      const found = byUnit.get(u);
      if (found) return found;
    }
    return undefined;
  };

  const facts = new Map<string, Map<string, CourseFacts>>();
  const factsOf = (user: string, course: string): CourseFacts => {
    const m = facts.get(user) ?? new Map<string, CourseFacts>();
    facts.set(user, m);
    const f = m.get(course) ?? {
      lessonsDone: 0,
      started: false,
      quizAttempts: 0,
      quizPassed: false,
      bestScore: null,
      lastCompletion: null,
    };
    m.set(course, f);
    return f;
  };
  for (const r of agg) {
    if (!r.course) continue;
    const f = factsOf(r.user_id, r.course);
    if (r.type === 'lesson.completed') f.lessonsDone = r.n;
    if (r.type === 'lesson.started' || r.type === 'quiz.started') f.started = true;
    if (r.type === 'quiz.submitted') {
      f.quizAttempts = r.n;
      f.quizPassed = Boolean(r.passed);
      f.bestScore = r.best_score === null ? null : { score: r.best_score, max: 1 };
    }
  }
  for (const c of completions)
    factsOf(c.user_id, c.subject).lastCompletion = { at: new Date(c.effective_at), version: c.version, how: c.how as 'online' };

  const allRules = [...rules.values()];
  const people: PersonStatus[] = [];
  for (const m of memberships) {
    const d = JSON.parse(m.data) as { orgUnitId: string | null; jobRole: string; status: string };
    if (scope.orgUnitIds && !(d.orgUnitId && scope.orgUnitIds.has(d.orgUnitId))) continue;
    const explicit = byPerson.get(m.user_id) ?? unitAssignment(d.orgUnitId);
    const pathId = explicit?.subject ?? defaultPathFor(ctx.content, d.jobRole)?.id ?? null;
    const rulesNow: PathRules | null = pathId ? (rules.get(pathId) ?? null) : null;
    const dueAtMs = explicit ? (JSON.parse(explicit.data) as { dueAt?: number | null }).dueAt : null;
    const assignment: PathAssignmentAt | null = rulesNow
      ? {
          source: explicit ? (explicit.user_id ? 'person' : 'org-unit') : 'job-role',
          assignedAt: new Date(explicit ? explicit.effective_at : m.first_at),
          dueAt: dueAtMs ? new Date(dueAtMs) : null,
        }
      : null;
    const courses = rulesNow
      ? [...rulesNow.required, ...rulesNow.optional.filter((c) => !rulesNow.required.includes(c))].map((courseId) =>
          statusOf(ctx.content, courseId, facts.get(m.user_id)?.get(courseId), rulesNow, assignment, allRules, asOf),
        )
      : [];
    people.push({
      userId: m.user_id,
      orgUnitId: d.orgUnitId,
      jobRole: d.jobRole,
      status: d.status,
      pathId,
      path: rulesNow && assignment ? pathStatus(rulesNow, assignment, courses, asOf) : null,
      courses,
    });
  }
  return { asOf, recordedBy, people, pathVersions: Object.fromEntries(allRules.map((r) => [r.id, r.version])) };
}

function statusOf(
  content: ContentSet,
  courseId: string,
  facts: CourseFacts | undefined,
  path: PathRules,
  assignment: PathAssignmentAt | null,
  allRules: PathRules[],
  asOf: Date,
): CourseStatus {
  const course = content.courses.get(courseId);
  return courseStatus({
    courseId,
    lessonsTotal: course?.lessons.length ?? 0,
    hasQuiz: Boolean(course?.course.quiz && content.quizzes.has(course.course.quiz)),
    facts,
    path,
    assignment,
    allPaths: allRules,
    asOf,
  });
}

/** HR and system actors: status of the people in scope as of T (recorded by R). */
export async function getStatusAsOf(ctx: Ctx, opts: { asOf: Date; recordedBy?: Date; userIds?: readonly string[] }): Promise<StatusAsOf> {
  const scope = await authorize(ctx, 'hr.view');
  return computeStatusAsOf(ctx, scope, opts);
}
