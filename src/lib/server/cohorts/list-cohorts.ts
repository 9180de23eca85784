/** Lists of cohorts: all of the district for the admin, the own ones for a multiplier. */
import { and, desc, eq, inArray } from 'drizzle-orm';
import { cohortMultiplierTable, cohortTable, orgUnitTable, userTable } from '../../../../db/schema/index.ts';
import { authorize, type Scope } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { type Cohort, type CohortRule, membersOf, requireCohortIn, rulesOf } from './cohort-members.ts';

export interface CohortSummary extends Cohort {
  members: number;
  multipliers: Array<{ userId: string; name: string; email: string }>;
  /** The rules in words, e.g. "FB 3 – Ordnung (mit Untereinheiten)", "2 einzeln gewählte Personen". */
  rules: string[];
}

async function summaries(ctx: Ctx, scope: Scope, cohorts: Cohort[]): Promise<CohortSummary[]> {
  const tenantId = scope.tenantId as string;
  const ids = cohorts.map((c) => c.id);
  const [rules, leads, units] = await Promise.all([
    rulesOf(ctx, scope, ids),
    ids.length === 0
      ? []
      : ctx.db
          .select({ cohortId: cohortMultiplierTable.cohortId, userId: userTable.id, name: userTable.name, email: userTable.email })
          .from(cohortMultiplierTable)
          .innerJoin(userTable, eq(userTable.id, cohortMultiplierTable.userId))
          .where(and(eq(cohortMultiplierTable.tenantId, tenantId), inArray(cohortMultiplierTable.cohortId, ids))),
    ctx.db.select().from(orgUnitTable).where(eq(orgUnitTable.tenantId, tenantId)),
  ]);
  const unitName = new Map(units.map((u) => [u.id, `${u.code} – ${u.name}`]));
  const describe = (list: CohortRule[]): string[] => {
    const shown = list.filter((r) => r.validTo === null || list.every((x) => x.validTo !== null));
    const people = shown.filter((r) => r.kind === 'person').length;
    return [
      ...shown
        .filter((r) => r.kind === 'org-unit')
        .map((r) => `${unitName.get(r.orgUnitId ?? '') ?? 'Unbekannte Einheit'}${r.includeSubunits ? ' (mit Untereinheiten)' : ''}`),
      ...(people > 0 ? [people === 1 ? '1 einzeln gewählte Person' : `${people} einzeln gewählte Personen`] : []),
    ];
  };
  const out: CohortSummary[] = [];
  for (const c of cohorts)
    out.push({
      ...c,
      members: (await membersOf(ctx, scope, c)).length,
      multipliers: leads.filter((l) => l.cohortId === c.id).map(({ userId, name, email }) => ({ userId, name, email })),
      rules: describe(rules.get(c.id) ?? []),
    });
  return out;
}

/** Admin: every cohort of the district, running ones first, newest first. */
export async function listCohorts(ctx: Ctx): Promise<CohortSummary[]> {
  const scope = await authorize(ctx, 'tenant.admin');
  const rows = await ctx.db
    .select()
    .from(cohortTable)
    .where(eq(cohortTable.tenantId, scope.tenantId as string))
    .orderBy(desc(cohortTable.createdAt));
  const list = await summaries(ctx, scope, rows);
  return list.sort((a, b) => Number(a.endedAt !== null) - Number(b.endedAt !== null));
}

/** Admin: one cohort with its rules, multipliers and member count. */
export async function getCohortForAdmin(ctx: Ctx, cohortId: string): Promise<CohortSummary> {
  const scope = await authorize(ctx, 'tenant.admin', { cohortId });
  const cohort = await requireCohortIn(ctx, scope, cohortId);
  const [summary] = await summaries(ctx, scope, [cohort]);
  return summary as CohortSummary;
}

/** Multiplier: the cohorts they lead, running ones first. */
export async function listOwnCohorts(ctx: Ctx): Promise<CohortSummary[]> {
  const scope = await authorize(ctx, 'cohort.view');
  const ids = scope.cohortIds ?? [];
  if (ids.length === 0) return [];
  const rows = await ctx.db
    .select()
    .from(cohortTable)
    .where(and(eq(cohortTable.tenantId, scope.tenantId as string), inArray(cohortTable.id, [...ids])))
    .orderBy(desc(cohortTable.createdAt));
  const list = await summaries(ctx, scope, rows);
  return list.sort((a, b) => Number(a.endedAt !== null) - Number(b.endedAt !== null) || a.name.localeCompare(b.name, 'de'));
}
