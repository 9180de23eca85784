/**
 * Coverage per month: the figures at the end of each of the last months (Europe/Berlin) and at T itself, each from
 * the one status rule as of that day with the same recording cut-off, counted by coverage.ts. Months before the
 * district's record began are left out. Cost: one status computation per point (24 for two years); for very large
 * districts stored monthly results of the same rule are the way to go (docs/decisions/007-evidence-core.md).
 */
import { eq } from 'drizzle-orm';
import { tenantTable } from '../../../../db/schema/index.ts';
import { endOfDayBerlin } from '../../shared/dates.ts';
import type { Scope } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { type CoverageCounts, countCoverage } from './coverage.ts';
import { type CoverageFilters, loadCoverageBase } from './coverage-base.ts';
import { berlinDay } from './evidence-dates.ts';

export interface TrendPoint {
  /** The day the figures are as of (end of a month, or T). */
  at: Date;
  counts: CoverageCounts;
}

/** The month ends before T, newest last, at most `months` − 1 of them, then T. */
export function monthEnds(asOf: Date, months: number, notBefore: Date): Date[] {
  const [y, m] = berlinDay(asOf).split('-').map(Number) as [number, number];
  const out: Date[] = [];
  for (let i = months - 1; i >= 1; i--) {
    // day 0 of the following month is the last day of the month i months back
    const last = new Date(Date.UTC(y, m - i, 0));
    const end = endOfDayBerlin(last.toISOString().slice(0, 10));
    if (end >= notBefore && end < asOf) out.push(new Date(Math.floor(end.getTime() / 60_000) * 60_000));
  }
  out.push(asOf);
  return out;
}

export async function coverageTrend(
  ctx: Ctx,
  scope: Scope,
  opts: { asOf: Date; recordedBy: Date; filters: CoverageFilters; months?: number },
): Promise<TrendPoint[]> {
  const [t] = await ctx.db
    .select({ start: tenantTable.recordStartedAt })
    .from(tenantTable)
    .where(eq(tenantTable.id, scope.tenantId as string));
  const start = t?.start ?? opts.asOf;
  const points: TrendPoint[] = [];
  // one after the other: each point reads the district's facts once; in parallel they would compete for the same cores
  for (const at of monthEnds(opts.asOf, opts.months ?? 24, start)) {
    const base = await loadCoverageBase(ctx, scope, { asOf: at, recordedBy: opts.recordedBy, filters: opts.filters });
    points.push({ at, counts: countCoverage(base.people) });
  }
  return points;
}
