/**
 * The staff council's view (`council.view`): the same coverage figures as HR's overview (coverage.ts over the one
 * status rule, same as-of rule), but aggregates only — no person appears, by name or id — and every group with fewer
 * active staff than the district's minimum group size (setting `minGroupSize`, default 5, never below 3) is
 * suppressed. So that a suppressed group cannot be worked out by subtracting its siblings from their parent, a lone
 * suppressed group among shown siblings takes the next smallest sibling with it. A council grant may be limited to an
 * org subtree; an org unit outside it is "not found".
 */
import { eq } from 'drizzle-orm';
import { tenantTable } from '../../../../db/schema/index.ts';
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { readTenantSettings } from '../tenancy/tenant-settings.ts';
import { type CoverageCounts, countCoverage, coverageByJobRole, coverageByUnit } from './coverage.ts';
import { contentVersionsAt, loadCoverageBase, type VersionInForce } from './coverage-base.ts';
import { coverageTrend } from './coverage-trend.ts';

/** Figures of a group, or none when the group is too small to show. */
export interface GroupFigures {
  suppressed: boolean;
  counts: CoverageCounts | null;
}

export interface CouncilOverview {
  asOf: Date;
  recordedBy: Date;
  minGroupSize: number;
  limited: boolean;
  unit: { id: string; code: string; name: string } | null;
  overall: GroupFigures;
  units: Array<{ id: string; code: string; name: string; depth: number; parentId: string | null } & GroupFigures>;
  jobRoles: Array<{ jobRole: string } & GroupFigures>;
  trend: Array<{ at: Date } & GroupFigures>;
  versions: VersionInForce[];
}

function figures(counts: CoverageCounts, k: number): GroupFigures {
  return counts.active < k ? { suppressed: true, counts: null } : { suppressed: false, counts };
}

/** A lone suppressed group among shown siblings: also suppress the smallest shown sibling. */
function suppressComplement<T extends GroupFigures & { size: number }>(siblings: T[]): void {
  const hidden = siblings.filter((s) => s.suppressed && s.size > 0);
  if (hidden.length !== 1) return;
  const next = siblings.filter((s) => !s.suppressed).sort((a, b) => a.size - b.size)[0];
  if (next) {
    next.suppressed = true;
    next.counts = null;
  }
}

export async function getCouncilOverview(
  ctx: Ctx,
  input: { asOf: Date; recordedBy: Date; orgUnitId?: string | null; trend?: boolean },
): Promise<CouncilOverview> {
  const scope = await authorize(ctx, 'council.view', input.orgUnitId ? { orgUnitId: input.orgUnitId } : {});
  const [tenant] = await ctx.db
    .select({ settings: tenantTable.settings })
    .from(tenantTable)
    .where(eq(tenantTable.id, scope.tenantId as string));
  const k = readTenantSettings(tenant?.settings).minGroupSize;
  const filters = { orgUnitId: input.orgUnitId ?? null };
  const base = await loadCoverageBase(ctx, scope, { asOf: input.asOf, recordedBy: input.recordedBy, filters });
  const units = coverageByUnit(base.people, base.units, base.roots).map((u) => ({
    id: u.id,
    code: u.code,
    name: u.name,
    depth: u.depth,
    parentId: u.parentId,
    size: u.counts.active,
    ...figures(u.counts, k),
  }));
  const byParent = new Map<string | null, typeof units>();
  for (const u of units) byParent.set(u.depth === 0 ? null : u.parentId, [...(byParent.get(u.depth === 0 ? null : u.parentId) ?? []), u]);
  for (const siblings of byParent.values()) suppressComplement(siblings);
  const jobRoles = coverageByJobRole(base.people).map((r) => ({ jobRole: r.jobRole, size: r.counts.active, ...figures(r.counts, k) }));
  suppressComplement(jobRoles);
  const [trend, versions] = await Promise.all([
    input.trend ? coverageTrend(ctx, scope, { asOf: input.asOf, recordedBy: input.recordedBy, filters }) : Promise.resolve([]),
    contentVersionsAt(ctx, scope, input.asOf),
  ]);
  const strip = <T extends { size: number }>({ size: _size, ...rest }: T): Omit<T, 'size'> => rest;
  return {
    asOf: input.asOf,
    recordedBy: input.recordedBy,
    minGroupSize: k,
    limited: scope.orgUnitIds !== null,
    unit: base.unit ? { id: base.unit.id, code: base.unit.code, name: base.unit.name } : null,
    overall: figures(countCoverage(base.people), k),
    units: units.map(strip),
    jobRoles: jobRoles.map(strip),
    trend: trend.map((p) => ({ at: p.at, ...figures(p.counts, k) })),
    versions,
  };
}
