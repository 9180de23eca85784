/**
 * HR downloads the district's audit log (`hr.view`, for a grant over the whole district only: the log holds entries
 * about everyone): the verifiable JSON Lines export with a fresh signed checkpoint (audit/export-audit-log.ts,
 * checked offline with `npx kiko audit verify --file EXPORT`), itself recorded in the log.
 */
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { exportAuditLog } from '../audit/export-audit-log.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { ForbiddenError } from '../errors/domain-errors.ts';

export async function exportDistrictAuditLog(ctx: Ctx, out: string): Promise<{ entries: number; checkpointSeq: number }> {
  const scope = await authorize(ctx, 'hr.view');
  if (scope.orgUnitIds)
    throw new ForbiddenError('Das ganze Protokoll können nur Personalverantwortliche für den ganzen Landkreis herunterladen.');
  const tenantId = scope.tenantId as string;
  const r = await exportAuditLog(ctx.db, tenantId, out);
  await ctx.db.transaction((tx) =>
    appendAuditEvent(tx, {
      tenantId,
      actorId: actorId(ctx.actor),
      type: 'audit.exported',
      data: { entries: r.entries, checkpointSeq: r.checkpoint.seq },
      at: ctx.clock(),
    }),
  );
  return { entries: r.entries, checkpointSeq: r.checkpoint.seq };
}
