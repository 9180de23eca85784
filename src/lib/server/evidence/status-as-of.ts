/**
 * Status of many people × their courses as of a time T, "as recorded by" R: bulk facts from the learning record
 * (a constant number of queries, none per person) fed to the one status rule (course-status.ts). Memberships,
 * assignments and path rules are those valid at T; facts recorded after R are ignored, so a figure with a fixed R
 * never changes. Path inheritance follows the org tree of today (org units are not yet versioned).
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import type { CompletionWay } from '../../../../db/schema/index.ts';
import { courseProgressTable, learningEventTable, lessonProgressTable, orgUnitTable, tenantTable } from '../../../../db/schema/index.ts';
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
  nextStatusChange,
  type PathAssignmentAt,
  type PathRules,
  type PathStatus,
  pathStatus,
} from './course-status.ts';
import { memoizedStatus, type StatusInputs, type StatusResult } from './status-memo.ts';

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

/**
 * Runs `inner` and returns its rows as arrays, fetched as ONE JSON text (json_group_array keeps the inner order): for
 * hundreds of thousands of rows the driver's per-row materialisation costs three times the query itself
 * (bench/status-as-of.ts).
 */
async function rowsAsJson<T extends unknown[]>(db: Db, inner: ReturnType<typeof sql>): Promise<T[]> {
  const [row] = await db.all<{ rows: string | null }>(sql`SELECT json_group_array(json(r)) AS rows FROM (${inner})`);
  return JSON.parse(row?.rows ?? '[]') as T[];
}

/**
 * The same with json_array aggregated directly, without reading each row's JSON text a second time (`columns` inside
 * json_array, `from` the rest of the query; for the 30,000 course rows of a 5,000-person cohort a third less time).
 * Rows come in the scan's order: for folds that need no other order (an ORDER BY needs the subquery of rowsAsJson,
 * whose order an index can give without a sort).
 */
async function aggregatedRowsAsJson<T extends unknown[]>(
  db: Db,
  columns: ReturnType<typeof sql>,
  from: ReturnType<typeof sql>,
): Promise<T[]> {
  const [row] = await db.all<{ rows: string | null }>(sql`SELECT json_group_array(json_array(${columns})) AS rows FROM ${from}`);
  return JSON.parse(row?.rows ?? '[]') as T[];
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
  if (recordedBy < t.start)
    throw new ValidationError(
      `Der Erfassungsstand ${formatDate(recordedBy)} liegt vor dem Beginn der Aufzeichnung am ${formatDate(t.start)}.`,
    );
}

/** Loads the facts valid at T (recorded by R) for one district and computes every person's status. */
export async function computeStatusAsOf(
  ctx: Ctx,
  scope: Scope,
  /**
   * `userIds`: only these people (a cohort); `current`: T and R are now, read from the projections; `keep: false`:
   * computed without keeping the result among the stored ones (a month end counted once and stored as figures: kept,
   * 23 of them would push the results pages ask for out and hold hundreds of MB each).
   */
  opts: { asOf: Date; recordedBy?: Date; userIds?: readonly string[]; current?: boolean; keep?: boolean },
): Promise<StatusAsOf> {
  const tenantId = scope.tenantId as string;
  const { asOf, recordedBy, T, R, current, moving } = await statusWindow(ctx, tenantId, opts);
  const inputs = (at: number): Promise<StatusInputs> => statusInputs(ctx, tenantId, new Date(at));
  const compute = (userIds: readonly string[] | undefined, pre: StatusInputs) =>
    statusOfPeople(ctx, tenantId, { T, R, current, moving, userIds }, pre);
  const all =
    opts.keep === false
      ? await compute(opts.userIds, await inputs(T))
      : await memoizedStatus({
          db: ctx.db,
          content: ctx.content,
          tenantId,
          T,
          R,
          current,
          moving,
          userIds: opts.userIds,
          inputs,
          compute,
        });
  return { asOf, recordedBy, people: inScope(scope, all.people), pathVersions: all.pathVersions };
}

/** The dates of a status computation (R defaults to now), checked against the district's record. */
async function statusWindow(
  ctx: Ctx,
  tenantId: string,
  opts: { asOf: Date; recordedBy?: Date; current?: boolean },
): Promise<{ asOf: Date; recordedBy: Date; T: number; R: number; current: boolean; moving: boolean }> {
  const asOf = opts.asOf;
  const recordedBy = opts.recordedBy ?? ctx.clock();
  await checkAsOf(ctx.db, ctx.clock(), tenantId, asOf, recordedBy);
  const T = asOf.getTime();
  const R = recordedBy.getTime();
  const current = opts.current ?? false;
  // "moving": the figures of now (T = R), which stay valid while time moves on until a fact or a due date changes them
  return { asOf, recordedBy, T, R, current, moving: current || T === R };
}

/** The district's org units and the path rules in force at `at`: the same for every person computed. */
async function statusInputs(ctx: Ctx, tenantId: string, at: Date): Promise<StatusInputs> {
  const [units, rules] = await Promise.all([
    ctx.db.select({ id: orgUnitTable.id, parentId: orgUnitTable.parentId }).from(orgUnitTable).where(eq(orgUnitTable.tenantId, tenantId)),
    pathRulesAt(ctx.db, ctx.content, at),
  ]);
  return { units, rules };
}

/** The people of a scope limited to org units (an HR grant for a subtree); all of them otherwise. */
function inScope(scope: Scope, people: PersonStatus[]): PersonStatus[] {
  const units = scope.orgUnitIds;
  return units ? people.filter((p) => p.orgUnitId !== null && units.has(p.orgUnitId)) : people;
}

/**
 * The one status rule over the people of a district (or only `userIds`), unfiltered by scope, with what the stored
 * figures need to stay exact (status-memo.ts): per person the next instant their status changes by itself, and facts
 * already recorded that become visible later (recorded after R, or for the figures of now effective after T).
 */
async function statusOfPeople(
  ctx: Ctx,
  tenantId: string,
  w: { T: number; R: number; current: boolean; moving: boolean; userIds: readonly string[] | undefined; range?: UserRange },
  pre: StatusInputs,
): Promise<StatusResult> {
  const { T, R, userIds, range } = w;
  const db = ctx.db;
  const asOf = new Date(T);
  // Facts are fetched in the order of learning_events_type_idx (tenant, type, person, subject, effective time, seq), so
  // "the latest per person" is a fold in one pass with no sort; lesson milestones come from lesson_progress (see below).
  const [memberships, assignments, lessons, quizzes, completions] = w.current
    ? await currentFacts(db, tenantId, userIds, range)
    : await recordedFacts(db, tenantId, T, R, w.moving, userIds, range);
  const { units, rules } = pre;

  // a fact not visible at (T, R) that becomes visible later: recorded after R (or, for "now", effective after T)
  const pending = new Map<string, number>();
  let districtPending = Number.POSITIVE_INFINITY;
  const later = (user: string | null, at: number) => {
    if (user === null) districtPending = Math.min(districtPending, at);
    else pending.set(user, Math.min(pending.get(user) ?? at, at));
  };
  // every fact is recorded no earlier than it takes effect, so a hidden one shows from its recording time on
  const valid = (user: string | null, effective: number, recorded: number): boolean => {
    if (effective <= T && recorded <= R) return true;
    if (w.moving || effective <= T) later(user, Math.max(effective, recorded));
    return false;
  };
  // the projections hold the latest state: only completions are dated (see currentFacts)
  const visible = w.current ? () => true : valid;

  // active assignments at T: the latest "assigned" per ref without a later "unassigned"
  type Assignment = { userId: string | null; orgUnitId: string | null; pathId: string; dueAt: number | null; at: number };
  const active = new Map<string, Assignment>();
  for (const [type, userId, orgUnitId, pathId, ref, data, at, rec] of assignments) {
    if (!visible(userId, at, rec)) continue;
    if (type === 'path.assigned') active.set(ref, { userId, orgUnitId, pathId, dueAt: data.dueAt ?? null, at });
    else active.delete(ref);
  }
  const byPerson = new Map<string, Assignment>();
  const byUnit = new Map<string, Assignment>();
  for (const a of active.values()) {
    if (a.userId) byPerson.set(a.userId, a);
    else if (a.orgUnitId) byUnit.set(a.orgUnitId, a);
  }
  const parent = new Map(units.map((u) => [u.id, u.parentId]));
  const unitAssignment = (unitId: string | null): Assignment | undefined => {
    for (let u = unitId, depth = 0; u && depth < 32; u = parent.get(u) ?? null, depth++) {
      const found = byUnit.get(u);
      if (found) return found;
    }
    return undefined;
  };

  const facts = new Map<string, Map<string, CourseFacts>>();
  const factsOf = (user: string, course: string): CourseFacts => {
    let m = facts.get(user);
    if (!m) {
      m = new Map();
      facts.set(user, m);
    }
    let f = m.get(course);
    if (!f) {
      f = { lessonsDone: 0, started: false, quizAttempts: 0, quizPassed: false, bestScore: null, lastCompletion: null };
      m.set(course, f);
    }
    return f;
  };
  for (const [user, course, done, started, pendingAt] of lessons) {
    if (pendingAt !== null) later(user, pendingAt);
    if (!started) continue;
    const f = factsOf(user, course);
    f.lessonsDone = done;
    f.started = true;
  }
  const courseOfQuiz = new Map(
    [...ctx.content.courses.values()].filter((c) => c.course.quiz).map((c) => [c.course.quiz as string, c.course.id]),
  );
  for (const [user, quizId, type, passed, share, at, rec] of quizzes) {
    const course = courseOfQuiz.get(quizId);
    if (!course || !visible(user, at, rec)) continue;
    const f = factsOf(user, course);
    f.started = true;
    if (type !== 'quiz.submitted') continue;
    f.quizAttempts++;
    if (passed) f.quizPassed = true;
    if (share !== null && (!f.bestScore || share > f.bestScore.score)) f.bestScore = { score: share, max: 1 };
  }
  // rows come oldest first per person and course: the last one wins
  for (const [user, course, version, how, at, rec] of completions)
    if (valid(user, at, rec)) factsOf(user, course).lastCompletion = { at: new Date(at), version, how: how as CompletionWay };
  // memberships oldest first per person: the first gives the account's start, the last the membership at T
  const membership = new Map<string, { data: { orgUnitId: string | null; jobRole: string; status: string }; firstAt: number }>();
  for (const [user, data, at, rec] of memberships) {
    if (!visible(user, at, rec)) continue;
    const seen = membership.get(user);
    membership.set(user, { data, firstAt: seen?.firstAt ?? at });
  }

  const allRules = [...rules.values()];
  // each path's courses, required first, worked out once for everyone on it
  const coursesOfPath = new Map<PathRules, string[]>();
  const coursesOf = (r: PathRules): string[] => {
    let list = coursesOfPath.get(r);
    if (!list) {
      list = [...r.required, ...r.optional.filter((c) => !r.required.includes(c))];
      coursesOfPath.set(r, list);
    }
    return list;
  };
  const people: PersonStatus[] = [];
  const next = new Map<string, number>();
  const defaultPath = new Map<string, string | null>();
  for (const [userId, m] of membership) {
    const d = m.data;
    const explicit = byPerson.get(userId) ?? unitAssignment(d.orgUnitId);
    if (!defaultPath.has(d.jobRole)) defaultPath.set(d.jobRole, defaultPathFor(ctx.content, d.jobRole)?.id ?? null);
    const pathId = explicit?.pathId ?? defaultPath.get(d.jobRole) ?? null;
    const rulesNow: PathRules | null = pathId ? (rules.get(pathId) ?? null) : null;
    const assignment: PathAssignmentAt | null = rulesNow
      ? {
          source: explicit ? (explicit.userId ? 'person' : 'org-unit') : 'job-role',
          assignedAt: new Date(explicit ? explicit.at : m.firstAt),
          dueAt: explicit?.dueAt ? new Date(explicit.dueAt) : null,
        }
      : null;
    const courses = rulesNow
      ? coursesOf(rulesNow).map((courseId) =>
          statusOf(ctx.content, courseId, facts.get(userId)?.get(courseId), rulesNow, assignment, allRules, asOf),
        )
      : [];
    const path = rulesNow && assignment ? pathStatus(rulesNow, assignment, courses, asOf) : null;
    people.push({ userId, orgUnitId: d.orgUnitId, jobRole: d.jobRole, status: d.status, pathId, path, courses });
    if (w.moving) {
      const at = nextStatusChange(courses, path, assignment, asOf);
      if (at !== Number.POSITIVE_INFINITY) next.set(userId, at);
    }
  }
  return { people, next, pending, districtPending, pathVersions: Object.fromEntries(allRules.map((r) => [r.id, r.version])) };
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
export async function getStatusAsOf(
  ctx: Ctx,
  /** Without `asOf`: the status now (from the projections); with it: as of that time, recorded by `recordedBy` (default now). */
  opts: { asOf?: Date; recordedBy?: Date; userIds?: readonly string[] },
): Promise<StatusAsOf> {
  const scope = await authorize(ctx, 'hr.view');
  if (!opts.asOf) {
    const now = ctx.clock();
    return computeStatusAsOf(ctx, scope, { asOf: now, recordedBy: now, userIds: opts.userIds, current: true });
  }
  return computeStatusAsOf(ctx, scope, { ...opts, asOf: opts.asOf });
}

/** People whose id lies in [from, to) (byte order, as SQLite compares text); null: open on that side. */
export interface UserRange {
  from: string | null;
  to: string | null;
}

/**
 * People per slice of a sliced computation, unless the caller asks for another size. The CSV export of 50,000 people
 * (bench/evidence-export.ts, median of 5): slices of 250 peak at 316 MB, of 100 at 264 MB in 4.7 s, of 50 at 261 MB
 * but in 5.3 s. Smaller slices leave less for the young generation to carry into the old one.
 */
export const STATUS_SLICE_SIZE = 100;

/** The status of a district in slices of people (statusInSlices). */
export interface StatusSlices {
  asOf: Date;
  recordedBy: Date;
  /** Path rules used (id → version), the same for every slice. */
  pathVersions: Record<string, string | null>;
  /**
   * The people in scope, slice after slice in id order: each slice's facts are read and folded when it is asked for
   * and dropped with it, so a district of any size never has all of its facts or statuses in memory at once.
   */
  slices: () => AsyncGenerator<PersonStatus[]>;
}

/**
 * The status of every person of the district in scope as of T (recorded by R), computed slice by slice of people
 * (`sliceSize`, by id ranges the person indexes read in order) by the same rule and the same queries as
 * computeStatusAsOf. For exports of a whole district: nothing is kept among the stored results (status-memo.ts),
 * and the union of the slices equals the whole computation.
 */
export async function statusInSlices(
  ctx: Ctx,
  scope: Scope,
  opts: { asOf: Date; recordedBy?: Date; current?: boolean; sliceSize?: number },
): Promise<StatusSlices> {
  const tenantId = scope.tenantId as string;
  const { asOf, recordedBy, T, R, current, moving } = await statusWindow(ctx, tenantId, opts);
  const size = Math.max(1, Math.floor(opts.sliceSize ?? STATUS_SLICE_SIZE));
  const [pre, bounds] = await Promise.all([
    statusInputs(ctx, tenantId, asOf),
    // every size-th id of the district's people starts a slice; the first and last slices are open at their ends,
    // so every fact belongs to exactly one slice
    ctx.db.all<{ id: string }>(
      sql`SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users WHERE tenant_id = ${tenantId})
           WHERE n > 1 AND (n - 1) % ${size} = 0 ORDER BY id`,
    ),
  ]);
  const starts = [null, ...bounds.map((b) => b.id)];
  return {
    asOf,
    recordedBy,
    pathVersions: Object.fromEntries([...pre.rules.values()].map((r) => [r.id, r.version])),
    slices: async function* () {
      for (const [i, from] of starts.entries()) {
        const range: UserRange = { from, to: starts[i + 1] ?? null };
        // a turn of the event loop between slices: the local database answers without one, and the garbage collector
        // finishes its work on the slices before only in such turns (without them the heap grows by hundreds of MB)
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        const r = await statusOfPeople(ctx, tenantId, { T, R, current, moving, userIds: undefined, range }, pre);
        yield inScope(scope, r.people);
      }
    },
  };
}

/** ` AND column >= from AND column < to` for the sides a range has. */
function inRange(column: string, range: UserRange | undefined) {
  if (!range) return sql``;
  const c = sql.raw(column);
  return sql`${range.from !== null ? sql` AND ${c} >= ${range.from}` : sql``}${range.to !== null ? sql` AND ${c} < ${range.to}` : sql``}`;
}

/** Path facts of the range's people and those without a person (an org unit's path, which every slice needs). */
function personOrUnit(range: UserRange | undefined) {
  return range ? sql` AND (user_id IS NULL OR (1 = 1${inRange('user_id', range)}))` : sql``;
}

type MembershipFact = [string, { orgUnitId: string | null; jobRole: string; status: string }, number, number];
type AssignmentFact = [string, string | null, string | null, string, string, { dueAt?: number | null }, number, number];
/** Person, course, lessons completed (visible), any lesson started (visible), when a later lesson milestone shows. */
type LessonFact = [string, string, number, number, number | null];
type QuizFact = [string, string, string, number | null, number | null, number, number];
type CompletionFact = [string, string, string, string, number, number];
type Facts = [MembershipFact[], AssignmentFact[], LessonFact[], QuizFact[], CompletionFact[]];

/**
 * The facts for T as recorded by R, from the learning record, with their effective and recording times: the fold
 * keeps those valid at (T, R) and notes the others that become valid later (statusOfPeople). For a past T only facts
 * effective by T are read; for "now" every fact, since time moves on. Rows come in the order of
 * learning_events_type_idx (tenant, type, person, subject, effective time, seq), so "the latest per person" is a fold
 * without a sort; lesson milestones come from lesson_progress, whose rows hold each lesson's first start and first
 * completion (with the completion's recording time) and never change once set.
 */
function recordedFacts(
  db: Db,
  tenantId: string,
  T: number,
  R: number,
  moving: boolean,
  userIds: readonly string[] | undefined,
  range: UserRange | undefined,
): Promise<Facts> {
  const ev = learningEventTable;
  // a cohort's people travel as one JSON parameter; the person index then serves every query
  const cohort = userIds ? sql` AND user_id IN (SELECT value FROM json_each(${JSON.stringify(userIds)}))` : sql``;
  const only = sql`${cohort}${inRange('user_id', range)}`;
  const window = moving ? only : sql` AND effective_at <= ${T}${only}`;
  const completedRec = sql`coalesce(completed_recorded_at, completed_at)`;
  return Promise.all([
    rowsAsJson<MembershipFact>(
      db,
      sql`SELECT json_array(user_id, json(data), effective_at, recorded_at) AS r FROM ${ev}
           WHERE tenant_id = ${tenantId} AND type = 'membership.changed'${window}
           ORDER BY user_id, subject, effective_at, seq`,
    ),
    rowsAsJson<AssignmentFact>(
      db,
      sql`SELECT json_array(type, user_id, org_unit_id, subject, ref, json(data), effective_at, recorded_at) AS r FROM ${ev}
           WHERE tenant_id = ${tenantId} AND type IN ('path.assigned', 'path.unassigned')${moving ? sql`` : sql` AND effective_at <= ${T}`}${personOrUnit(range)}
           ORDER BY effective_at, seq`,
    ),
    // lesson_progress rows hold each lesson's first start and first completion (with the completion's recording time)
    // and never change once set: the lesson facts, per person and course, from one covering index
    rowsAsJson<LessonFact>(
      db,
      sql`SELECT json_array(user_id, course_id,
                 sum(CASE WHEN started_at <= ${T} AND completed_at <= ${T} AND ${completedRec} <= ${R} THEN 1 ELSE 0 END),
                 max(started_at <= ${T}),
                 min(CASE WHEN started_at > ${T} THEN started_at
                          WHEN completed_at IS NOT NULL AND ${completedRec} > ${R} AND (${moving ? 1 : 0} OR completed_at <= ${T})
                          THEN max(completed_at, ${completedRec}) END)) AS r
            FROM ${lessonProgressTable} INDEXED BY lesson_progress_asof_idx
           WHERE tenant_id = ${tenantId}${moving ? sql`` : sql` AND started_at <= ${T}`}${only}
           GROUP BY user_id, course_id`,
    ),
    aggregatedRowsAsJson<QuizFact>(
      db,
      sql`user_id, subject, type,
          CASE WHEN type = 'quiz.submitted' THEN json_extract(data, '$.passed') END,
          CASE WHEN type = 'quiz.submitted' AND json_extract(data, '$.max') > 0
               THEN json_extract(data, '$.score') * 1.0 / json_extract(data, '$.max') END,
          effective_at, recorded_at`,
      sql`${ev} WHERE tenant_id = ${tenantId} AND type IN ('quiz.started', 'quiz.submitted')${window}`,
    ),
    rowsAsJson<CompletionFact>(
      db,
      sql`SELECT json_array(user_id, subject, version, how, effective_at, recorded_at) AS r FROM ${ev}
           WHERE tenant_id = ${tenantId} AND type = 'course.completed'${window}
           ORDER BY user_id, subject, effective_at, seq`,
    ),
  ]);
}

/**
 * The same facts for "now", read from the current-state projections (which a test keeps equal to the record): one
 * narrow row per person, attempt and completion instead of the facts' history. Same shapes as `recordedFacts`; the
 * projections hold the latest state, so only a completion dated after T waits for its time.
 */
function currentFacts(db: Db, tenantId: string, userIds: readonly string[] | undefined, range: UserRange | undefined): Promise<Facts> {
  const only = (column: string) =>
    sql`${userIds ? sql` AND ${sql.raw(column)} IN (SELECT value FROM json_each(${JSON.stringify(userIds)}))` : sql``}${inRange(column, range)}`;
  return Promise.all([
    // a cohort: look its people up by primary key (the planner would otherwise walk the district's org index)
    userIds
      ? aggregatedRowsAsJson<MembershipFact>(
          db,
          sql`u.id, json_object('orgUnitId', u.org_unit_id, 'jobRole', u.job_role, 'status', u.status), u.created_at, 0`,
          sql`json_each(${JSON.stringify(userIds)}) AS j CROSS JOIN users AS u ON u.id = j.value WHERE u.tenant_id = ${tenantId}`,
        )
      : aggregatedRowsAsJson<MembershipFact>(
          db,
          sql`id, json_object('orgUnitId', org_unit_id, 'jobRole', job_role, 'status', status), created_at, 0`,
          sql`users WHERE tenant_id = ${tenantId}${inRange('id', range)}`,
        ),
    rowsAsJson<AssignmentFact>(
      db,
      sql`SELECT json_array('path.assigned', user_id, org_unit_id, path_id, id, json_object('dueAt', due_at), created_at, 0) AS r
            FROM path_assignments WHERE tenant_id = ${tenantId}${personOrUnit(range)} ORDER BY created_at`,
    ),
    // one row per person and course (course_progress, kept with lesson_progress by the database) instead of
    // counting the lesson rows: a row exists once a lesson was started or completed
    aggregatedRowsAsJson<LessonFact>(
      db,
      sql`user_id, course_id, lessons_done, 1, NULL`,
      sql`${courseProgressTable} INDEXED BY course_progress_status_idx WHERE tenant_id = ${tenantId}${only('user_id')}`,
    ),
    // quiz_attempts_user_quiz_idx holds status and result: the attempts come from the index alone
    aggregatedRowsAsJson<QuizFact>(
      db,
      sql`user_id, quiz_id, CASE status WHEN 'submitted' THEN 'quiz.submitted' ELSE 'quiz.started' END,
          passed, CASE WHEN max_score > 0 THEN score * 1.0 / max_score END, 0, 0`,
      sql`quiz_attempts WHERE tenant_id = ${tenantId}${only('user_id')}`,
    ),
    // course_completions_user_course_idx holds version and way: the completions come from the index alone
    rowsAsJson<CompletionFact>(
      db,
      sql`SELECT json_array(user_id, course_id, course_version, how, completed_at, completed_at) AS r
            FROM course_completions WHERE tenant_id = ${tenantId}${only('user_id')}
           ORDER BY user_id, course_id, completed_at`,
    ),
  ]);
}
