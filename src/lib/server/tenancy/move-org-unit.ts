/**
 * Moves an org unit (with its sub-units) below another unit or to the top of the district. A unit cannot move below
 * itself or one of its own sub-units: the tree would become a cycle.
 */
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { orgUnitTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { idSchema } from './org-unit-input.ts';

export const moveOrgUnitSchema = z.object({ orgUnitId: idSchema, parentId: idSchema.nullish() });

export async function moveOrgUnit(ctx: Ctx, input: z.input<typeof moveOrgUnitSchema>): Promise<void> {
  const parsed = moveOrgUnitSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ungültige Eingabe.');
  const { orgUnitId } = parsed.data;
  const parentId = parsed.data.parentId || null;
  const scope = await authorize(ctx, 'tenant.admin', { orgUnitId });
  if (parentId) await authorize(ctx, 'tenant.admin', { orgUnitId: parentId });
  else if (scope.orgUnitIds) throw new ForbiddenError('Sie können Einheiten nur innerhalb Ihres Bereichs verschieben.');
  const tenantId = scope.tenantId as string;
  await ctx.db.transaction(async (tx) => {
    const [unit] = await tx
      .select()
      .from(orgUnitTable)
      .where(and(eq(orgUnitTable.id, orgUnitId), eq(orgUnitTable.tenantId, tenantId)));
    if (!unit || unit.closedAt) throw new NotFoundError('Diese Organisationseinheit gibt es nicht (mehr).');
    if (unit.parentId === parentId) return;
    if (parentId) {
      // the new parent's ancestors (itself included): the unit must not be among them
      const ancestors = await tx.all<{ id: string; closed_at: number | null }>(sql`
        WITH RECURSIVE up(id, parent_id, closed_at, depth) AS (
          SELECT id, parent_id, closed_at, 0 FROM ${orgUnitTable} WHERE id = ${parentId} AND tenant_id = ${tenantId}
          UNION ALL
          SELECT o.id, o.parent_id, o.closed_at, up.depth + 1 FROM ${orgUnitTable} o JOIN up ON o.id = up.parent_id
           WHERE o.tenant_id = ${tenantId} AND up.depth < 64)
        SELECT id, closed_at FROM up`);
      if (ancestors.length === 0 || ancestors[0]?.closed_at !== null)
        throw new NotFoundError('Diese übergeordnete Einheit gibt es nicht (mehr).');
      if (ancestors.some((a) => a.id === orgUnitId))
        throw new ValidationError(
          `„${unit.name}“ kann nicht unter sich selbst oder eine eigene Untereinheit verschoben werden. Wählen Sie eine Einheit außerhalb dieses Zweigs.`,
        );
    }
    await tx
      .update(orgUnitTable)
      .set({ parentId })
      .where(and(eq(orgUnitTable.id, orgUnitId), eq(orgUnitTable.tenantId, tenantId)));
    await appendAuditEvent(tx, {
      tenantId,
      actorId: actorId(ctx.actor),
      type: 'org-unit.moved',
      data: { orgUnitId, parentId, previousParentId: unit.parentId },
      at: ctx.clock(),
    });
  });
}
