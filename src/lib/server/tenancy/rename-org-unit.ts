/** Renames an org unit (code and name); the id stays, so the learning record and assignments keep pointing at it. */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { orgUnitTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { idSchema, isDuplicateCode, orgUnitCodeSchema, orgUnitNameSchema } from './org-unit-input.ts';

export const renameOrgUnitSchema = z.object({ orgUnitId: idSchema, code: orgUnitCodeSchema, name: orgUnitNameSchema });

export async function renameOrgUnit(ctx: Ctx, input: z.input<typeof renameOrgUnitSchema>): Promise<void> {
  const parsed = renameOrgUnitSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ungültige Eingabe.');
  const { orgUnitId, code, name } = parsed.data;
  const scope = await authorize(ctx, 'tenant.admin', { orgUnitId });
  const tenantId = scope.tenantId as string;
  try {
    await ctx.db.transaction(async (tx) => {
      const [unit] = await tx
        .select()
        .from(orgUnitTable)
        .where(and(eq(orgUnitTable.id, orgUnitId), eq(orgUnitTable.tenantId, tenantId)));
      if (!unit) throw new NotFoundError('Diese Organisationseinheit gibt es nicht.');
      if (unit.code === code && unit.name === name) return;
      await tx
        .update(orgUnitTable)
        .set({ code, name })
        .where(and(eq(orgUnitTable.id, orgUnitId), eq(orgUnitTable.tenantId, tenantId)));
      await appendAuditEvent(tx, {
        tenantId,
        actorId: actorId(ctx.actor),
        type: 'org-unit.renamed',
        data: { orgUnitId, code, unitName: name, previousCode: unit.code, previousName: unit.name },
        at: ctx.clock(),
      });
    });
  } catch (e) {
    if (isDuplicateCode(e)) throw new ConflictError(`Das Kürzel „${code}“ ist in Ihrem Landkreis schon vergeben.`);
    throw e;
  }
}
