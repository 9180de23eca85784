/**
 * HR's overview of the Art. 4 evidence (`hr.view`): coverage as of T (recorded by R) overall, per org unit as a tree
 * (each unit counting its sub-units) and per job role, the people who are overdue and those due for a refresher
 * (sorted, paged), the trend per month, and the content versions in force. Scope: the district or the org subtree of
 * the HR grant; an org unit filter outside it is "not found". Figures come from coverage.ts over the one status rule.
 * Showing named people is itself recorded in the audit log.
 */

import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import {
  type CoverageCounts,
  countCoverage,
  coverageByJobRole,
  coverageByUnit,
  coverageClassOf,
  germanOrder,
  isRefresherDue,
  nextRefresherOf,
  type UnitCoverage,
} from './coverage.ts';
import { contentVersionsAt, loadCoverageBase, namesOf, type VersionInForce } from './coverage-base.ts';
import { coverageTrend, type TrendPoint } from './coverage-trend.ts';

export const OVERVIEW_PAGE_SIZE = 25;
export const listSorts = ['name', 'einheit', 'datum'] as const;
export type ListSort = (typeof listSorts)[number];

export interface OverviewInput {
  asOf: Date;
  recordedBy: Date;
  orgUnitId?: string | null;
  jobRole?: string | null;
  sort?: ListSort;
  overduePage?: number;
  refresherPage?: number;
  /** Include the monthly trend (24 status computations). */
  trend?: boolean;
}

/** One person in the overdue or refresher list. */
export interface ListedPerson {
  userId: string;
  name: string;
  erased: boolean;
  unit: { id: string; code: string; name: string } | null;
  jobRole: string;
  pathId: string | null;
  /** Overdue: the path's due date; refresher: the earliest refresher date. */
  date: Date | null;
  requiredDone: number;
  requiredTotal: number;
}

export interface PersonList {
  items: ListedPerson[];
  total: number;
  page: number;
  pages: number;
}

export interface CoverageOverview {
  asOf: Date;
  recordedBy: Date;
  unit: { id: string; code: string; name: string } | null;
  jobRole: string | null;
  /** True when the HR grant is limited to an org subtree. */
  limited: boolean;
  overall: CoverageCounts;
  units: UnitCoverage[];
  jobRoles: Array<{ jobRole: string; counts: CoverageCounts }>;
  overdue: PersonList;
  refresher: PersonList;
  trend: TrendPoint[];
  versions: VersionInForce[];
}

function page<T>(all: T[], n: number | undefined): { items: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(all.length / OVERVIEW_PAGE_SIZE));
  const current = Math.min(Math.max(1, Math.floor(n ?? 1)), pages);
  return { items: all.slice((current - 1) * OVERVIEW_PAGE_SIZE, current * OVERVIEW_PAGE_SIZE), page: current, pages };
}

export async function getCoverageOverview(ctx: Ctx, input: OverviewInput): Promise<CoverageOverview> {
  const scope = await authorize(ctx, 'hr.view', input.orgUnitId ? { orgUnitId: input.orgUnitId } : {});
  const tenantId = scope.tenantId as string;
  const filters = { orgUnitId: input.orgUnitId ?? null, jobRole: input.jobRole ?? null };
  const base = await loadCoverageBase(ctx, scope, { asOf: input.asOf, recordedBy: input.recordedBy, filters });
  const overdue = base.people.filter((p) => coverageClassOf(p) === 'overdue');
  const refresher = base.people.filter(isRefresherDue);
  const names = await namesOf(ctx, scope, [...new Set([...overdue, ...refresher].map((p) => p.userId))]);
  const unitsById = new Map(base.units.map((u) => [u.id, u]));
  const listed = (list: typeof overdue, date: (p: (typeof overdue)[number]) => Date | null): ListedPerson[] =>
    list.map((p) => {
      const n = names.get(p.userId);
      const u = p.orgUnitId ? unitsById.get(p.orgUnitId) : undefined;
      return {
        userId: p.userId,
        name: n?.name ?? p.userId,
        erased: n?.erased ?? false,
        unit: u ? { id: u.id, code: u.code, name: u.name } : null,
        jobRole: p.jobRole,
        pathId: p.pathId,
        date: date(p),
        requiredDone: p.path?.requiredDone ?? 0,
        requiredTotal: p.path?.requiredTotal ?? 0,
      };
    });
  const sort = input.sort ?? 'datum';
  const byName = (a: ListedPerson, b: ListedPerson): number => germanOrder(a.name, b.name) || a.userId.localeCompare(b.userId);
  const compare = (a: ListedPerson, b: ListedPerson): number => {
    if (sort === 'name') return byName(a, b);
    if (sort === 'einheit') return germanOrder(a.unit?.code ?? '\uffff', b.unit?.code ?? '\uffff') || byName(a, b);
    return (a.date?.getTime() ?? 0) - (b.date?.getTime() ?? 0) || byName(a, b);
  };
  const overdueList = listed(overdue, (p) => p.path?.dueAt ?? null).sort(compare);
  const refresherList = listed(refresher, nextRefresherOf).sort(compare);
  const overduePage = page(overdueList, input.overduePage);
  const refresherPage = page(refresherList, input.refresherPage);
  const shown = overduePage.items.length + refresherPage.items.length;
  if (shown > 0)
    await ctx.db.transaction((tx) =>
      appendAuditEvent(tx, {
        tenantId,
        actorId: actorId(ctx.actor),
        type: 'evidence.viewed',
        data: {
          view: 'personal',
          asOf: input.asOf.toISOString(),
          recordedBy: input.recordedBy.toISOString(),
          orgUnitId: filters.orgUnitId,
          jobRole: filters.jobRole,
          people: shown,
        },
        at: ctx.clock(),
      }),
    );
  const [trend, versions] = await Promise.all([
    input.trend
      ? coverageTrend(ctx, scope, { asOf: input.asOf, recordedBy: input.recordedBy, filters, current: countCoverage(base.people) })
      : Promise.resolve([]),
    contentVersionsAt(ctx, scope, input.asOf),
  ]);
  return {
    asOf: input.asOf,
    recordedBy: input.recordedBy,
    unit: base.unit ? { id: base.unit.id, code: base.unit.code, name: base.unit.name } : null,
    jobRole: filters.jobRole,
    limited: scope.orgUnitIds !== null,
    overall: countCoverage(base.people),
    units: coverageByUnit(base.people, base.units, base.roots),
    jobRoles: coverageByJobRole(base.people),
    overdue: { ...overduePage, total: overdueList.length },
    refresher: { ...refresherPage, total: refresherList.length },
    trend,
    versions,
  };
}
