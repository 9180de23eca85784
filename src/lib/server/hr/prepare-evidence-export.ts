/**
 * The selection of an evidence export (`hr.view`): as of T, recorded by R, filtered by org unit (with its sub-units),
 * job role and coverage class, within the HR grant's scope (an org unit outside it, or of another district, is "not
 * found"). Figures come from coverage.ts over the one status rule; the in-person sessions of the period and the
 * multiplier programme's figures from evidence-sessions.ts. The selection is described by the versioned JSON
 * schema in docs/evidence-export-schema.md; its fingerprint is the SHA-256 of the selection's canonical JSON
 * (RFC 8785), computed record by record so that no export is ever held in memory as a whole. The same T, R and filters
 * give the same fingerprint every time. `recordEvidenceExport` writes who exported what to the audit log.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { eq, sql } from 'drizzle-orm';
import type { CompletionWay } from '../../../../db/schema/index.ts';
import { learningEventTable, lessonProgressTable, tenantTable } from '../../../../db/schema/index.ts';
import { formatDate } from '../../shared/format.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { authorize, type Scope } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { ValidationError } from '../errors/domain-errors.ts';
import { pathRulesAt } from '../evidence/content-archive.ts';
import type { CourseState, PathStatus } from '../evidence/course-status.ts';
import { checkAsOf, type PersonStatus } from '../evidence/status-as-of.ts';
import { readTenantSettings } from '../tenancy/tenant-settings.ts';
import {
  type CoverageClass,
  type CoverageCounts,
  countCoverage,
  coverageByUnit,
  type coverageClasses,
  coverageClassOf,
  germanOrder,
  nextRefresherOf,
} from './coverage.ts';
import { contentVersionsAt, loadCoverageBase, namesOf, type VersionInForce } from './coverage-base.ts';
import { coverageTrend, type TrendPoint } from './coverage-trend.ts';
import { berlinDay, type EvidencePeriod } from './evidence-dates.ts';
import { type EvidenceProgramme, type EvidenceSessionRecord, sessionsOfSelection } from './evidence-sessions.ts';

export type { EvidenceProgramme, EvidenceSessionRecord } from './evidence-sessions.ts';

export const EVIDENCE_SCHEMA = 'kiko.evidence-export';
export const EVIDENCE_SCHEMA_VERSION = 1;
export const evidenceFormats = ['csv', 'csv-excel', 'xlsx', 'json', 'pdf'] as const;
export type EvidenceFormat = (typeof evidenceFormats)[number];

export interface EvidenceExportInput {
  asOf: Date;
  recordedBy: Date;
  orgUnitId?: string | null;
  jobRole?: string | null;
  status?: (typeof coverageClasses)[number] | null;
  /** Only people with activity (lessons, quiz attempts, completions, attendance) in this period, with that activity. */
  period?: EvidencePeriod | null;
  /** Also gather what the PDF report shows beyond the selection: the monthly trend and the training concept. */
  report?: boolean;
}

/** One learning path of the training concept, with its rules as valid at T. */
export interface ConceptPath {
  id: string;
  title: string;
  summary: string;
  jobRoles: string[];
  required: Array<{ id: string; title: string; minutes: number }>;
  optional: Array<{ id: string; title: string; minutes: number }>;
  dueDays: number;
  refresherMonths: number;
}

export interface EvidenceCourseRecord {
  id: string;
  title: string;
  required: boolean;
  state: CourseState;
  percent: number;
  lessonsDone: number;
  lessonsTotal: number;
  quizBestPercent: number | null;
  completedAt: string | null;
  completedVersion: string | null;
  completedHow: CompletionWay | null;
  refresherDueAt: string | null;
  dueAt: string | null;
}

export interface EvidencePersonRecord {
  id: string;
  name: string;
  email: string | null;
  erased: boolean;
  orgUnit: { id: string; code: string; name: string } | null;
  jobRole: string;
  coverage: CoverageClass;
  path: {
    id: string;
    title: string | null;
    version: string | null;
    state: PathStatus['state'];
    dueAt: string;
    requiredDone: number;
    requiredTotal: number;
    percent: number;
    completedAt: string | null;
  } | null;
  nextRefresherAt: string | null;
  courses: EvidenceCourseRecord[];
  /** Only with a period: what the person did in it (from the learning record, recorded by R). */
  activity?: EvidenceActivity;
}

/** Activity of one person in the period of an export. */
export interface EvidenceActivity {
  lessonsCompleted: number;
  quizAttempts: number;
  quizPassed: number;
  /** Course completions in the period, and how many of them by attendance of an in-person session. */
  courseCompletions: number;
  inPerson: number;
}

export interface EvidenceUnitRecord extends CoverageCounts {
  id: string;
  code: string;
  name: string;
  parentId: string | null;
  depth: number;
}

/** Everything in the selection except the people (they are produced one by one). */
export interface EvidenceHead {
  schema: typeof EVIDENCE_SCHEMA;
  schemaVersion: typeof EVIDENCE_SCHEMA_VERSION;
  tenant: { slug: string; name: string };
  asOf: string;
  recordedBy: string;
  filters: {
    orgUnit: { id: string; code: string; name: string } | null;
    jobRole: string | null;
    status: CoverageClass | null;
    /** Only when the export has a period (an optional field of schema version 1). */
    period?: { from: string; to: string };
  };
  contentVersions: VersionInForce[];
  /** Figures of the org unit and job role selection (before the status filter). */
  totals: CoverageCounts;
  orgUnits: EvidenceUnitRecord[];
  /**
   * In-person sessions that began in the period (without one: by T) and by R, with invited and present people of
   * the org unit and job role selection (evidence-sessions.ts), ordered by start and id.
   */
  sessions: EvidenceSessionRecord[];
  /** The multiplier programme over these sessions (the cascade across all multipliers, small groups suppressed). */
  programme: EvidenceProgramme;
}

export interface EvidenceExport {
  head: EvidenceHead;
  /** Number of people records. */
  count: number;
  /** The people records in a stable order (org unit code, name, id); may be iterated more than once. */
  people: () => Generator<EvidencePersonRecord>;
  /** "sha256:<hex>" of the canonical JSON of the selection ({...head, people}). */
  fingerprint: string;
  /** With `report`: what the PDF report adds (not part of the fingerprinted selection; sessions and programme are). */
  report?: { trend: TrendPoint[]; concept: ConceptPath[] };
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/**
 * The canonical JSON (RFC 8785) of `{ ...head, people }` as chunks: the members in code-unit order, each value
 * canonicalised on its own; equal to canonicalize() of the whole object, without ever building it.
 */
export function* canonicalSelection(head: EvidenceHead, people: Iterable<EvidencePersonRecord>): Generator<string> {
  const keys = [...Object.keys(head), 'people'].sort();
  yield '{';
  for (const [i, key] of keys.entries()) {
    yield `${i > 0 ? ',' : ''}${JSON.stringify(key)}:`;
    if (key !== 'people') {
      yield canonicalize((head as unknown as Record<string, unknown>)[key]) as string;
      continue;
    }
    yield '[';
    let n = 0;
    let sorted = true;
    for (const p of people) {
      // one function builds every record with its keys sorted (prepareEvidenceExport), so JSON.stringify is its
      // canonical JSON; the first and every 1,000th record are checked against the library, which takes over for the
      // rest should that function ever change (the tests compare whole files with the library's output)
      let json = sorted ? JSON.stringify(p) : (canonicalize(p) as string);
      if (sorted && n % 1000 === 0) {
        const canonical = canonicalize(p) as string;
        if (canonical !== json) {
          sorted = false;
          json = canonical;
        }
      }
      yield `${n > 0 ? ',' : ''}${json}`;
      n++;
    }
    yield ']';
  }
  yield '}';
}

export async function prepareEvidenceExport(ctx: Ctx, input: EvidenceExportInput): Promise<EvidenceExport> {
  const scope = await authorize(ctx, 'hr.view', input.orgUnitId ? { orgUnitId: input.orgUnitId } : {});
  const tenantId = scope.tenantId as string;
  const filters = { orgUnitId: input.orgUnitId ?? null, jobRole: input.jobRole ?? null };
  const [base, versions, tenantRows] = await Promise.all([
    loadCoverageBase(ctx, scope, { asOf: input.asOf, recordedBy: input.recordedBy, filters }),
    contentVersionsAt(ctx, scope, input.asOf),
    ctx.db
      .select({ slug: tenantTable.slug, name: tenantTable.name, settings: tenantTable.settings })
      .from(tenantTable)
      .where(eq(tenantTable.id, tenantId)),
  ]);
  const active = base.people.filter((p) => coverageClassOf(p) !== 'inactive');
  const byStatus = input.status ? active.filter((p) => coverageClassOf(p) === input.status) : active;
  const period = input.period ?? null;
  if (period) await checkPeriod(ctx, scope, input.asOf, period);
  const [activity, measures] = await Promise.all([
    period ? activityIn(ctx, tenantId, period, input.recordedBy) : null,
    sessionsOfSelection(ctx, scope, {
      asOf: input.asOf,
      recordedBy: input.recordedBy,
      period,
      group: base.people,
      narrowed: Boolean(scope.orgUnitIds || filters.orgUnitId || filters.jobRole),
      minGroupSize: readTenantSettings(tenantRows[0]?.settings).minGroupSize,
    }),
  ]);
  const selected = activity ? byStatus.filter((p) => activity.has(p.userId)) : byStatus;
  const names = await namesOf(
    ctx,
    scope,
    selected.map((p) => p.userId),
  );
  const units = new Map(base.units.map((u) => [u.id, u]));
  const pathTitles = new Map(versions.filter((v) => v.kind === 'path').map((v) => [v.id, v]));
  const courseTitle = (id: string): string => ctx.content.courses.get(id)?.course.title ?? versions.find((v) => v.id === id)?.title ?? id;
  const keyed = selected.map((p) => ({
    p,
    unit: (p.orgUnitId && units.get(p.orgUnitId)?.code) || '\uffff',
    name: names.get(p.userId)?.name ?? '',
  }));
  keyed.sort((a, b) => germanOrder(a.unit, b.unit) || germanOrder(a.name, b.name) || (a.p.userId < b.p.userId ? -1 : 1));
  const ordered = keyed.map((k) => k.p);
  // built with every object's keys in code-unit order, so that JSON.stringify gives the canonical JSON of a record
  // (RFC 8785: sorted keys, ECMAScript numbers and strings) without sorting 50,000 records again (canonicalSelection)
  const record = (p: PersonStatus): EvidencePersonRecord => {
    const n = names.get(p.userId);
    const u = p.orgUnitId ? units.get(p.orgUnitId) : undefined;
    const path = p.path;
    return {
      ...(activity ? { activity: activity.get(p.userId) as EvidenceActivity } : {}),
      courses: p.courses.map((c) => ({
        completedAt: iso(c.completedAt),
        completedHow: c.completedHow,
        completedVersion: c.completedVersion,
        dueAt: iso(c.dueAt),
        id: c.courseId,
        lessonsDone: c.lessonsDone,
        lessonsTotal: c.lessonsTotal,
        percent: c.percent,
        quizBestPercent: c.quizBestPercent,
        refresherDueAt: iso(c.refresherDueAt),
        required: c.required,
        state: c.state,
        title: courseTitle(c.courseId),
      })),
      coverage: coverageClassOf(p),
      email: n?.email ?? null,
      erased: n?.erased ?? false,
      id: p.userId,
      jobRole: p.jobRole,
      name: n?.name ?? p.userId,
      nextRefresherAt: iso(nextRefresherOf(p)),
      orgUnit: u ? { code: u.code, id: u.id, name: u.name } : null,
      path:
        path && p.pathId
          ? {
              completedAt: iso(path.completedAt),
              dueAt: path.dueAt.toISOString(),
              id: p.pathId,
              percent: path.percent,
              requiredDone: path.requiredDone,
              requiredTotal: path.requiredTotal,
              state: path.state,
              title: pathTitles.get(p.pathId)?.title ?? null,
              version: base.status.pathVersions[p.pathId] ?? null,
            }
          : null,
    };
  };
  const unit = base.unit;
  const head: EvidenceHead = {
    schema: EVIDENCE_SCHEMA,
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    tenant: { slug: tenantRows[0]?.slug ?? '', name: tenantRows[0]?.name ?? '' },
    asOf: input.asOf.toISOString(),
    recordedBy: input.recordedBy.toISOString(),
    filters: {
      orgUnit: unit ? { id: unit.id, code: unit.code, name: unit.name } : null,
      jobRole: filters.jobRole,
      status: input.status ?? null,
      ...(period ? { period: { from: period.from.toISOString(), to: period.to.toISOString() } } : {}),
    },
    contentVersions: versions,
    totals: countCoverage(base.people),
    orgUnits: coverageByUnit(base.people, base.units, base.roots).map((u) => ({
      id: u.id,
      code: u.code,
      name: u.name,
      parentId: u.parentId,
      depth: u.depth,
      ...u.counts,
    })),
    sessions: measures.sessions,
    programme: measures.programme,
  };
  const people = function* (): Generator<EvidencePersonRecord> {
    for (const p of ordered) yield record(p);
  };
  const hash = createHash('sha256');
  for (const chunk of canonicalSelection(head, people())) hash.update(chunk);
  const fingerprint = `sha256:${hash.digest('hex')}`;
  if (!input.report) return { head, count: ordered.length, people, fingerprint };
  const [trend, rules] = await Promise.all([
    coverageTrend(ctx, scope, { asOf: input.asOf, recordedBy: input.recordedBy, filters }),
    pathRulesAt(ctx.db, ctx.content, input.asOf),
  ]);
  const course = (id: string) => ({ id, title: courseTitle(id), minutes: ctx.content.courses.get(id)?.minutes ?? 0 });
  const concept: ConceptPath[] = [...rules.values()]
    .sort((a, b) => germanOrder(a.title, b.title))
    .map((r) => {
      const path = ctx.content.paths.get(r.id);
      return {
        id: r.id,
        title: r.title,
        summary: path?.summary ?? '',
        jobRoles: [...(path?.jobRoles ?? [])],
        required: r.required.map(course),
        optional: r.optional.map(course),
        dueDays: r.dueDays,
        refresherMonths: r.refresherMonths,
      };
    });
  return { head, count: ordered.length, people, fingerprint, report: { trend, concept } };
}

/**
 * A period must lie within the record: not before the district's record began, not after the as-of date (what
 * happened after T is not known as of T). Dates in the future are refused by resolvePeriod already.
 */
export async function checkPeriod(ctx: Ctx, scope: Scope, asOf: Date, period: EvidencePeriod): Promise<void> {
  const tenantId = scope.tenantId as string;
  await checkAsOf(ctx.db, ctx.clock(), tenantId, asOf, asOf);
  if (period.from > period.to) throw new ValidationError('Zeitraum: „von“ muss vor oder auf „bis“ liegen.', { von: 'Datum' });
  if (period.to > ctx.clock()) throw new ValidationError('Zeitraum: Das Ende liegt in der Zukunft.', { bis: 'Datum' });
  const [t] = await ctx.db.select({ start: tenantTable.recordStartedAt }).from(tenantTable).where(eq(tenantTable.id, tenantId));
  // the record begins some time on its first day: a period may start on that day
  if (!t?.start || berlinDay(period.from) < berlinDay(t.start))
    throw new ValidationError(
      `Zeitraum: Der ${formatDate(period.from)} liegt vor dem Beginn der Aufzeichnung des Landkreises am ${formatDate(t?.start ?? null)}. Bitte einen späteren Beginn wählen.`,
      { von: 'Datum' },
    );
  if (period.to > asOf)
    throw new ValidationError(
      `Zeitraum: Das Ende ${formatDate(period.to)} liegt nach dem Stichtag ${formatDate(asOf)}. Bitte den Stichtag auf oder nach das Ende des Zeitraums legen.`,
      { bis: 'Datum' },
    );
}

/**
 * Activity per person in the period, as recorded by R: lessons completed (lesson_progress, as the status rule reads
 * them), quiz attempts submitted and passed, course completions and how (in person = attendance). People without
 * any activity are missing from the map. One grouped query per source, none per person.
 */
async function activityIn(ctx: Ctx, tenantId: string, period: EvidencePeriod, recordedBy: Date): Promise<Map<string, EvidenceActivity>> {
  const F = period.from.getTime();
  const T = period.to.getTime();
  const R = recordedBy.getTime();
  const [lessons, events] = await Promise.all([
    ctx.db.all<{ u: string; n: number }>(sql`
      SELECT user_id AS u, count(*) AS n FROM ${lessonProgressTable} INDEXED BY lesson_progress_asof_idx
       WHERE tenant_id = ${tenantId} AND completed_at BETWEEN ${F} AND ${T} AND coalesce(completed_recorded_at, completed_at) <= ${R}
       GROUP BY user_id`),
    ctx.db.all<{ u: string; type: string; how: string | null; passed: number; n: number }>(sql`
      SELECT user_id AS u, type, how, sum(CASE WHEN type = 'quiz.submitted' AND json_extract(data, '$.passed') THEN 1 ELSE 0 END) AS passed,
             count(*) AS n
        FROM ${learningEventTable}
       WHERE tenant_id = ${tenantId} AND type IN ('quiz.submitted', 'course.completed')
         AND effective_at BETWEEN ${F} AND ${T} AND recorded_at <= ${R}
       GROUP BY user_id, type, how`),
  ]);
  const out = new Map<string, EvidenceActivity>();
  const of = (u: string): EvidenceActivity => {
    let a = out.get(u);
    if (!a) {
      a = { courseCompletions: 0, inPerson: 0, lessonsCompleted: 0, quizAttempts: 0, quizPassed: 0 }; // keys sorted (record)
      out.set(u, a);
    }
    return a;
  };
  for (const r of lessons) of(r.u).lessonsCompleted += Number(r.n);
  for (const r of events) {
    const a = of(r.u);
    if (r.type === 'quiz.submitted') {
      a.quizAttempts += Number(r.n);
      a.quizPassed += Number(r.passed);
    } else {
      a.courseCompletions += Number(r.n);
      if (r.how === 'in-person') a.inPerson += Number(r.n);
    }
  }
  return out;
}

/** Writes "who exported which selection when, in which format" to the district's audit log. */
export async function recordEvidenceExport(ctx: Ctx, exp: EvidenceExport, format: EvidenceFormat): Promise<void> {
  const scope = await authorize(ctx, 'hr.view');
  await ctx.db.transaction((tx) =>
    appendAuditEvent(tx, {
      tenantId: scope.tenantId,
      actorId: actorId(ctx.actor),
      type: 'evidence.exported',
      data: {
        format,
        schemaVersion: EVIDENCE_SCHEMA_VERSION,
        asOf: exp.head.asOf,
        recordedBy: exp.head.recordedBy,
        orgUnitId: exp.head.filters.orgUnit?.id ?? null,
        orgUnitCode: exp.head.filters.orgUnit?.code ?? null,
        jobRole: exp.head.filters.jobRole,
        status: exp.head.filters.status,
        ...(exp.head.filters.period ? { period: exp.head.filters.period } : {}),
        people: exp.count,
        fingerprint: exp.fingerprint,
      },
      at: ctx.clock(),
    }),
  );
}
