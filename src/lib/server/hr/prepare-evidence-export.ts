/**
 * The selection of an evidence export (`hr.view`): as of T, recorded by R, filtered by org unit (with its sub-units),
 * job role and coverage class, within the HR grant's scope (an org unit outside it, or of another district, is "not
 * found"). Figures come from coverage.ts over the one status rule. The selection is described by the versioned JSON
 * schema in docs/evidence-export-schema.md; its fingerprint is the SHA-256 of the selection's canonical JSON
 * (RFC 8785), computed record by record so that no export is ever held in memory as a whole. The same T, R and filters
 * give the same fingerprint every time. `recordEvidenceExport` writes who exported what to the audit log.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { eq } from 'drizzle-orm';
import type { CompletionWay } from '../../../../db/schema/index.ts';
import { tenantTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { pathRulesAt } from '../evidence/content-archive.ts';
import type { CourseState, PathStatus } from '../evidence/course-status.ts';
import type { PersonStatus } from '../evidence/status-as-of.ts';
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
  };
  contentVersions: VersionInForce[];
  /** Figures of the org unit and job role selection (before the status filter). */
  totals: CoverageCounts;
  orgUnits: EvidenceUnitRecord[];
}

export interface EvidenceExport {
  head: EvidenceHead;
  /** Number of people records. */
  count: number;
  /** The people records in a stable order (org unit code, name, id); may be iterated more than once. */
  people: () => Generator<EvidencePersonRecord>;
  /** "sha256:<hex>" of the canonical JSON of the selection ({...head, people}). */
  fingerprint: string;
  /** With `report`: what the PDF report adds (not part of the fingerprinted selection). */
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
    let first = true;
    for (const p of people) {
      yield `${first ? '' : ','}${canonicalize(p) as string}`;
      first = false;
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
    ctx.db.select({ slug: tenantTable.slug, name: tenantTable.name }).from(tenantTable).where(eq(tenantTable.id, tenantId)),
  ]);
  const active = base.people.filter((p) => coverageClassOf(p) !== 'inactive');
  const selected = input.status ? active.filter((p) => coverageClassOf(p) === input.status) : active;
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
  const record = (p: PersonStatus): EvidencePersonRecord => {
    const n = names.get(p.userId);
    const u = p.orgUnitId ? units.get(p.orgUnitId) : undefined;
    const path = p.path;
    return {
      id: p.userId,
      name: n?.name ?? p.userId,
      email: n?.email ?? null,
      erased: n?.erased ?? false,
      orgUnit: u ? { id: u.id, code: u.code, name: u.name } : null,
      jobRole: p.jobRole,
      coverage: coverageClassOf(p),
      path:
        path && p.pathId
          ? {
              id: p.pathId,
              title: pathTitles.get(p.pathId)?.title ?? null,
              version: base.status.pathVersions[p.pathId] ?? null,
              state: path.state,
              dueAt: path.dueAt.toISOString(),
              requiredDone: path.requiredDone,
              requiredTotal: path.requiredTotal,
              percent: path.percent,
              completedAt: iso(path.completedAt),
            }
          : null,
      nextRefresherAt: iso(nextRefresherOf(p)),
      courses: p.courses.map((c) => ({
        id: c.courseId,
        title: courseTitle(c.courseId),
        required: c.required,
        state: c.state,
        percent: c.percent,
        lessonsDone: c.lessonsDone,
        lessonsTotal: c.lessonsTotal,
        quizBestPercent: c.quizBestPercent,
        completedAt: iso(c.completedAt),
        completedVersion: c.completedVersion,
        completedHow: c.completedHow,
        refresherDueAt: iso(c.refresherDueAt),
        dueAt: iso(c.dueAt),
      })),
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
        people: exp.count,
        fingerprint: exp.fingerprint,
      },
      at: ctx.clock(),
    }),
  );
}
