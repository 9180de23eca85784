/**
 * The cohort check of reminders: a multiplier may remind the current members of the cohorts they lead (the cohort
 * module's membership rule, cohorts/cohort-members.ts), nobody else. Ended cohorts do not count.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { cohortTable } from '../../../../db/schema/index.ts';
import { membersOf } from '../cohorts/cohort-members.ts';
import type { CanRemind } from './reminder-audience.ts';

export const cohortCanRemind: CanRemind = async (ctx, scope, userIds) => {
  const allowed = new Set<string>();
  if (!scope.cohortIds || scope.cohortIds.length === 0) return allowed;
  const cohorts = await ctx.db
    .select()
    .from(cohortTable)
    .where(
      and(eq(cohortTable.tenantId, scope.tenantId as string), inArray(cohortTable.id, [...scope.cohortIds]), isNull(cohortTable.endedAt)),
    );
  const wanted = new Set(userIds);
  for (const cohort of cohorts) for (const m of await membersOf(ctx, scope, cohort)) if (wanted.has(m.userId)) allowed.add(m.userId);
  return allowed;
};
