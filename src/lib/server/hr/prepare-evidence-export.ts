/**
 * The selection of an evidence export (`hr.view`): as of T, recorded by R, filtered by org unit (with its sub-units),
 * job role and coverage class, within the HR grant's scope (an org unit outside it, or of another district, is "not
 * found"). Figures come from coverage.ts over the one status rule; the in-person sessions of the period and the
 * multiplier programme's figures from evidence-sessions.ts. The selection is described by the versioned JSON
 * schema in docs/evidence-export-schema.md; its fingerprint is the SHA-256 of the selection's canonical JSON
 * (RFC 8785), computed record by record so that no export is ever held in memory as a whole. The same T, R and filters
 * give the same fingerprint every time. `recordEvidenceExport` writes who exported what to the audit log.
 *
 * Memory stays flat for a district of any size: the statuses are computed slice by slice of people
 * (statusInSlices, not kept among the stored results), each slice is counted into the figures and its selected
 * people's records go to a spool on disk (record-spool.ts) before the next slice is read; the writers walk the spool
 * in export order. `close` releases the spool once the file is written.
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
import { checkAsOf, type PersonStatus, statusInSlices } from '../evidence/status-as-of.ts';
import { readTenantSettings } from '../tenancy/tenant-settings.ts';
import {
  type CoverageClass,
  type CoverageCounts,
  type coverageClasses,
  coverageClassOf,
  coverageCounter,
  germanOrder,
  nextRefresherOf,
  unitCoverageCounter,
} from './coverage.ts';
import { contentVersionsAt, coverageSelection, namesOf, type VersionInForce } from './coverage-base.ts';
import { coverageTrend, type TrendPoint } from './coverage-trend.ts';
import { berlinDay, type EvidencePeriod } from './evidence-dates.ts';
import { type EvidenceProgramme, type EvidenceSessionRecord, sessionsOfSelection } from './evidence-sessions.ts';
import { RecordSpool } from './record-spool.ts';

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
  /** The same records, each as its canonical JSON (what the fingerprint and the JSON file hold). */
  peopleJson: () => Generator<string>;
  /** "sha256:<hex>" of the canonical JSON of the selection ({...head, people}). */
  fingerprint: string;
  /** With `report`: what the PDF report adds (not part of the fingerprinted selection; sessions and programme are). */
  report?: { trend: TrendPoint[]; concept: ConceptPath[] };
  /** Lets go of the people records kept for the walks (record-spool.ts); the export cannot be walked afterwards. */
  close: () => void;
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/**
 * The canonical JSON (RFC 8785) of `{ ...head, people }` as chunks: the members in code-unit order, each value
 * canonicalised on its own; equal to canonicalize() of the whole object, without ever building it.
 */
export function* canonicalSelection(head: EvidenceHead, people: Iterable<EvidencePersonRecord>): Generator<string> {
  const json = canonicalRecordJson();
  yield* canonicalSelectionJson(
    head,
    (function* () {
      for (const p of people) yield json(p);
    })(),
  );
}

/** canonicalSelection with the people records given as their canonical JSON already. */
export function* canonicalSelectionJson(head: EvidenceHead, people: Iterable<string>): Generator<string> {
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
    for (const json of people) {
      yield `${n > 0 ? ',' : ''}${json}`;
      n++;
    }
    yield ']';
  }
  yield '}';
}

/**
 * The canonical JSON of people records, one after the other. One function builds every record with its keys sorted
 * (prepareEvidenceExport), so JSON.stringify is its canonical JSON; the first and every 1,000th record are checked
 * against the library, which takes over for the rest should that function ever change (the tests compare whole files
 * with the library's output).
 */
function canonicalRecordJson(): (p: EvidencePersonRecord) => string {
  let n = 0;
  let sorted = true;
  return (p) => {
    let json = sorted ? JSON.stringify(p) : (canonicalize(p) as string);
    if (sorted && n % 1000 === 0) {
      const canonical = canonicalize(p) as string;
      if (canonical !== json) {
        sorted = false;
        json = canonical;
      }
    }
    n++;
    return json;
  };
}

/**
 * `sliceSize`: people per slice of the status computation (statusInSlices); the records are kept in a spool, so
 * memory stays flat whatever the district's size.
 */
export async function prepareEvidenceExport(
  ctx: Ctx,
  input: EvidenceExportInput,
  opts: { sliceSize?: number } = {},
): Promise<EvidenceExport> {
  const scope = await authorize(ctx, 'hr.view', input.orgUnitId ? { orgUnitId: input.orgUnitId } : {});
  const tenantId = scope.tenantId as string;
  const filters = { orgUnitId: input.orgUnitId ?? null, jobRole: input.jobRole ?? null };
  const [status, selection, versions, tenantRows] = await Promise.all([
    statusInSlices(ctx, scope, { asOf: input.asOf, recordedBy: input.recordedBy, sliceSize: opts.sliceSize }),
    coverageSelection(ctx, scope, filters),
    contentVersionsAt(ctx, scope, input.asOf),
    ctx.db
      .select({ slug: tenantTable.slug, name: tenantTable.name, settings: tenantTable.settings })
      .from(tenantTable)
      .where(eq(tenantTable.id, tenantId)),
  ]);
  const period = input.period ?? null;
  if (period) await checkPeriod(ctx, scope, input.asOf, period);
  const activity = period ? await activityIn(ctx, tenantId, period, input.recordedBy) : null;
  const units = new Map(selection.units.map((u) => [u.id, u]));
  const pathTitles = new Map(versions.filter((v) => v.kind === 'path').map((v) => [v.id, v]));
  const courseTitle = (id: string): string => ctx.content.courses.get(id)?.course.title ?? versions.find((v) => v.id === id)?.title ?? id;
  // built with every object's keys in code-unit order, so that JSON.stringify gives the canonical JSON of a record
  // (RFC 8785: sorted keys, ECMAScript numbers and strings) without sorting 50,000 records again (canonicalSelection)
  const record = (p: PersonStatus, n: { name: string; email: string | null; erased: boolean } | undefined): EvidencePersonRecord => {
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
              version: status.pathVersions[p.pathId] ?? null,
            }
          : null,
    };
  };

  // one pass over the statuses, slice by slice: the figures are counted, the selected people's records spooled
  const totals = coverageCounter();
  const byUnit = unitCoverageCounter(selection.units, selection.roots);
  // the org unit and job role group (before the status and activity filters): covered if active at T, else null
  const group = new Map<string, boolean | null>();
  const spool = new RecordSpool();
  const toJson = canonicalRecordJson();
  try {
    for await (const slice of status.slices()) {
      const chosen: PersonStatus[] = [];
      for (const p of slice) {
        if (!selection.selects(p)) continue;
        totals.add(p);
        byUnit.add(p);
        const k = coverageClassOf(p);
        group.set(p.userId, k === 'inactive' ? null : Boolean(p.path?.covered));
        if (k === 'inactive' || (input.status && k !== input.status) || (activity && !activity.has(p.userId))) continue;
        chosen.push(p);
      }
      const names = await namesOf(
        ctx,
        scope,
        chosen.map((p) => p.userId),
      );
      for (const p of chosen) {
        const n = names.get(p.userId);
        spool.add(toJson(record(p, n)), {
          unit: (p.orgUnitId && units.get(p.orgUnitId)?.code) || '\uffff',
          name: n?.name ?? '',
          id: p.userId,
        });
      }
    }
    spool.finish((a, b) => germanOrder(a.unit, b.unit) || germanOrder(a.name, b.name) || (a.id < b.id ? -1 : 1));
    const measures = await sessionsOfSelection(ctx, scope, {
      asOf: input.asOf,
      recordedBy: input.recordedBy,
      period,
      group,
      narrowed: Boolean(scope.orgUnitIds || filters.orgUnitId || filters.jobRole),
      minGroupSize: readTenantSettings(tenantRows[0]?.settings).minGroupSize,
    });
    group.clear();
    const unit = selection.unit;
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
      totals: totals.result(),
      orgUnits: byUnit.result().map((u) => ({
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
    const peopleJson = (): Generator<string> => spool.json();
    const people = function* (): Generator<EvidencePersonRecord> {
      for (const json of spool.json()) yield JSON.parse(json) as EvidencePersonRecord;
    };
    const hash = createHash('sha256');
    for (const chunk of canonicalSelectionJson(head, peopleJson())) hash.update(chunk);
    const fingerprint = `sha256:${hash.digest('hex')}`;
    const close = (): void => spool.close();
    const base = { head, count: spool.count, people, peopleJson, fingerprint, close };
    if (!input.report) return base;
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
    return { ...base, report: { trend, concept } };
  } catch (e) {
    spool.close();
    throw e;
  }
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
