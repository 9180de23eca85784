/** Learner: the KI-Multiplikator:innen of the running cohorts they belong to (name and e-mail, to get in touch). */
import { and, eq, inArray } from 'drizzle-orm';
import { cohortMultiplierTable, userTable } from '../../../../db/schema/index.ts';
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { cohortsOfPerson } from './cohort-members.ts';

export interface MyMultiplier {
  name: string;
  email: string;
  cohorts: string[];
}

export async function getMyMultipliers(ctx: Ctx): Promise<MyMultiplier[]> {
  const scope = await authorize(ctx, 'learning.own');
  const me = scope.actorUserId;
  if (!me || !scope.tenantId) return [];
  const [self] = await ctx.db
    .select({ orgUnitId: userTable.orgUnitId, status: userTable.status })
    .from(userTable)
    .where(and(eq(userTable.id, me), eq(userTable.tenantId, scope.tenantId)));
  // disabled accounts belong to no cohort
  if (!self) return [];
  if (self.status !== 'active') return [];
  const cohorts = await cohortsOfPerson(ctx, scope, { userId: me, orgUnitId: self.orgUnitId });
  if (cohorts.length === 0) return [];
  const rows = await ctx.db
    .select({ cohortId: cohortMultiplierTable.cohortId, userId: userTable.id, name: userTable.name, email: userTable.email })
    .from(cohortMultiplierTable)
    .innerJoin(userTable, eq(userTable.id, cohortMultiplierTable.userId))
    .where(
      and(
        eq(cohortMultiplierTable.tenantId, scope.tenantId),
        inArray(
          cohortMultiplierTable.cohortId,
          cohorts.map((c) => c.id),
        ),
      ),
    );
  const byPerson = new Map<string, MyMultiplier>();
  for (const r of rows) {
    if (r.userId === me) continue;
    const entry = byPerson.get(r.userId) ?? { name: r.name, email: r.email, cohorts: [] };
    entry.cohorts.push(cohorts.find((c) => c.id === r.cohortId)?.name ?? '');
    byPerson.set(r.userId, entry);
  }
  return [...byPerson.values()].sort((a, b) => a.name.localeCompare(b.name, 'de'));
}
