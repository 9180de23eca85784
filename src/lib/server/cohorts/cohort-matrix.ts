/**
 * Person × course matrix of a cohort for its multiplier: status and date per course, filtered by org unit, job role
 * and path status, sorted, 50 rows a page; the CSV export reads the same rows. Only where the district switched
 * person-level views on (tenant setting `multiplierPersonViews`); otherwise the verb says so and returns no person.
 * Filters can only narrow the cohort: unknown values are ignored with a note, never widen the scope.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { jobRoleLabels, pathStateLabels } from '../../shared/cohort-labels.ts';
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import type { CourseState } from '../evidence/course-status.ts';
import { computeStatusAsOf } from '../evidence/status-as-of.ts';
import { getTenantSettings } from '../tenancy/tenant-settings.ts';
import { type Cohort, membersOf, requireCohortIn } from './cohort-members.ts';

export const PAGE_SIZE = 50;

/** Query parameters as they come from the GET form (all optional strings). */
export interface MatrixQuery {
  einheit?: string | null;
  rolle?: string | null;
  status?: string | null;
  sortierung?: string | null;
  richtung?: string | null;
  seite?: string | null;
}

export interface MatrixCell {
  courseId: string;
  /** Null when the course is not on the person's path. */
  state: CourseState | null;
  required: boolean;
  /** Completion date, else the due date. */
  date: Date | null;
  percent: number;
}

export interface MatrixRow {
  userId: string;
  name: string;
  email: string;
  orgUnitId: string | null;
  orgUnit: string;
  jobRole: string;
  pathState: string | null;
  pathPercent: number;
  cells: MatrixCell[];
}

export interface CohortMatrix {
  cohort: Cohort;
  personViews: boolean;
  /** Notes about ignored parameters, in German. */
  notes: string[];
  applied: {
    einheit: string | null;
    rolle: string | null;
    status: string | null;
    sortierung: string;
    richtung: 'auf' | 'ab';
    seite: number;
  };
  options: { orgUnits: Array<{ id: string; label: string }>; jobRoles: Array<{ id: string; label: string }> };
  courses: Array<{ id: string; title: string }>;
  rows: MatrixRow[];
  /** Rows after filtering (all pages). */
  total: number;
  pages: number;
}

const stateRank: Record<CourseState, number> = {
  expired: 0,
  overdue: 1,
  'not-started': 2,
  'in-progress': 3,
  'refresher-due': 4,
  completed: 5,
};

const pageSchema = z.coerce.number().int().min(1).max(100_000);

export async function getCohortMatrix(ctx: Ctx, cohortId: string, query: MatrixQuery, opts: { all?: boolean } = {}): Promise<CohortMatrix> {
  const scope = await authorize(ctx, 'cohort.view', { cohortId });
  const cohort = await requireCohortIn(ctx, scope, cohortId);
  const tenantId = scope.tenantId as string;
  const settings = await getTenantSettings(ctx.db, tenantId);
  const empty: CohortMatrix = {
    cohort,
    personViews: false,
    notes: [],
    applied: { einheit: null, rolle: null, status: null, sortierung: 'name', richtung: 'auf', seite: 1 },
    options: { orgUnits: [], jobRoles: [] },
    courses: [],
    rows: [],
    total: 0,
    pages: 1,
  };
  if (!settings.multiplierPersonViews) return empty;
  const members = await membersOf(ctx, scope, cohort, { withNames: true });
  const ids = members.map((m) => m.userId);
  const now = ctx.clock();
  const [status, units] = await Promise.all([
    computeStatusAsOf(ctx, scope, { asOf: now, recordedBy: now, userIds: ids, current: true }),
    ctx.db.all<{ id: string; code: string; name: string }>(sql`SELECT id, code, name FROM org_units WHERE tenant_id = ${tenantId}`),
  ]);
  // names and e-mails come with the members (read from the users index)
  const person = new Map(members.map((m) => [m.userId, { name: m.name ?? '–', email: m.email ?? '' }]));
  const unitLabel = new Map(units.map((u) => [u.id, `${u.code} – ${u.name}`]));
  const courseIds = [...new Set(status.people.flatMap((p) => p.courses.filter((c) => c.required).map((c) => c.courseId)))];
  const order = (id: string) => ctx.content.courses.get(id)?.course.order ?? 999;
  courseIds.sort((a, b) => order(a) - order(b));
  const courses = courseIds.map((id) => ({ id, title: ctx.content.courses.get(id)?.course.title ?? id }));

  let rows: MatrixRow[] = status.people.map((p) => {
    const byCourse = new Map(p.courses.map((c) => [c.courseId, c]));
    return {
      userId: p.userId,
      name: person.get(p.userId)?.name ?? '–',
      email: person.get(p.userId)?.email ?? '',
      orgUnitId: p.orgUnitId,
      orgUnit: p.orgUnitId ? (unitLabel.get(p.orgUnitId) ?? '–') : '–',
      jobRole: p.jobRole,
      pathState: p.path?.state ?? null,
      pathPercent: p.path?.percent ?? 0,
      cells: courseIds.map((id) => {
        const c = byCourse.get(id);
        return {
          courseId: id,
          state: c?.state ?? null,
          required: c?.required ?? false,
          date: c?.completedAt ?? c?.dueAt ?? null,
          percent: c?.percent ?? 0,
        };
      }),
    };
  });

  // filter options come from the cohort itself, so a value can only narrow it
  const unitOptions = [...new Set(rows.map((r) => r.orgUnitId).filter((u): u is string => u !== null))]
    .map((id) => ({ id, label: unitLabel.get(id) ?? id }))
    .sort((a, b) => a.label.localeCompare(b.label, 'de'));
  const roleOptions = [...new Set(rows.map((r) => r.jobRole))]
    .map((id) => ({ id, label: jobRoleLabels[id] ?? id }))
    .sort((a, b) => a.label.localeCompare(b.label, 'de'));
  const notes: string[] = [];
  const pick = (value: string | null | undefined, allowed: string[], what: string): string | null => {
    if (!value) return null;
    if (allowed.includes(value)) return value;
    notes.push(`Der Filter „${what}“ hat einen unbekannten Wert und wurde nicht angewendet.`);
    return null;
  };
  const einheit = pick(
    query.einheit,
    unitOptions.map((u) => u.id),
    'Organisationseinheit',
  );
  const rolle = pick(
    query.rolle,
    roleOptions.map((r) => r.id),
    'Tätigkeitsprofil',
  );
  const statusFilter = pick(query.status, Object.keys(pathStateLabels), 'Status');
  const sortKeys = ['name', 'einheit', 'rolle', 'fortschritt', ...courseIds.map((c) => `kurs-${c}`)];
  let sortierung = query.sortierung ?? 'name';
  if (!sortKeys.includes(sortierung)) {
    notes.push('Diese Sortierung gibt es nicht; sortiert wird nach Name.');
    sortierung = 'name';
  }
  let richtung: 'auf' | 'ab' = 'auf';
  if (query.richtung === 'ab') richtung = 'ab';
  else if (query.richtung && query.richtung !== 'auf') notes.push('Die Sortierrichtung ist unbekannt; sortiert wird aufsteigend.');

  if (einheit) rows = rows.filter((r) => r.orgUnitId === einheit);
  if (rolle) rows = rows.filter((r) => r.jobRole === rolle);
  if (statusFilter) rows = rows.filter((r) => r.pathState === statusFilter);

  const collator = new Intl.Collator('de');
  const courseIndex = sortierung.startsWith('kurs-') ? courseIds.indexOf(sortierung.slice(5)) : -1;
  const compare = (a: MatrixRow, b: MatrixRow): number => {
    if (sortierung === 'einheit') return collator.compare(a.orgUnit, b.orgUnit);
    if (sortierung === 'rolle') return collator.compare(jobRoleLabels[a.jobRole] ?? a.jobRole, jobRoleLabels[b.jobRole] ?? b.jobRole);
    if (sortierung === 'fortschritt') return a.pathPercent - b.pathPercent;
    if (courseIndex >= 0) {
      const x = a.cells[courseIndex] as MatrixCell;
      const y = b.cells[courseIndex] as MatrixCell;
      const rank = (c: MatrixCell): number => (c.state ? stateRank[c.state] : -1);
      return rank(x) - rank(y) || (x.date?.getTime() ?? 0) - (y.date?.getTime() ?? 0);
    }
    return 0;
  };
  rows.sort(
    (a, b) => (richtung === 'ab' ? -1 : 1) * (compare(a, b) || collator.compare(a.name, b.name)) || a.userId.localeCompare(b.userId),
  );

  const total = rows.length;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  let seite = 1;
  if (query.seite) {
    const parsed = pageSchema.safeParse(query.seite);
    if (!parsed.success) notes.push('Die Seitenzahl ist ungültig; gezeigt wird Seite 1.');
    else if (parsed.data > pages) {
      notes.push(`Seite ${parsed.data} gibt es nicht; gezeigt wird die letzte Seite (${pages}).`);
      seite = pages;
    } else seite = parsed.data;
  }
  return {
    cohort,
    personViews: true,
    notes,
    applied: { einheit, rolle, status: statusFilter, sortierung, richtung, seite },
    options: { orgUnits: unitOptions, jobRoles: roleOptions },
    courses,
    rows: opts.all ? rows : rows.slice((seite - 1) * PAGE_SIZE, seite * PAGE_SIZE),
    total,
    pages,
  };
}
