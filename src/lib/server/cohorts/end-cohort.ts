/** Admin: ends a cohort. It stays readable as evidence, with the members it had when it ended. */
import { and, eq, isNull } from 'drizzle-orm';
import { cohortRuleTable, cohortTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { ConflictError } from '../errors/domain-errors.ts';
import { requireCohortIn } from './cohort-members.ts';

export async function endCohort(ctx: Ctx, cohortId: string): Promise<void> {
  const scope = await authorize(ctx, 'tenant.admin', { cohortId });
  const tenantId = scope.tenantId as string;
  const cohort = await requireCohortIn(ctx, scope, cohortId);
  if (cohort.endedAt) throw new ConflictError('Diese Kohorte ist bereits beendet.');
  const now = ctx.clock();
  await ctx.db.transaction(async (tx) => {
    await tx
      .update(cohortTable)
      .set({ endedAt: now })
      .where(and(eq(cohortTable.id, cohort.id), eq(cohortTable.tenantId, tenantId)));
    await tx
      .update(cohortRuleTable)
      .set({ validTo: now })
      .where(and(eq(cohortRuleTable.cohortId, cohort.id), eq(cohortRuleTable.tenantId, tenantId), isNull(cohortRuleTable.validTo)));
    await appendAuditEvent(tx, { tenantId, actorId: actorId(ctx.actor), type: 'cohort.ended', data: { cohortId: cohort.id }, at: now });
  });
}
