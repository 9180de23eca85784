/** Creates an org unit (at the top of the district or below an open unit), with an audit entry. */
import { randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { orgUnitTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { idSchema, isDuplicateCode, orgUnitCodeSchema, orgUnitNameSchema } from './org-unit-input.ts';

export const createOrgUnitSchema = z.object({
  code: orgUnitCodeSchema,
  name: orgUnitNameSchema,
  /** Parent unit; null or missing: a unit at the top of the district. */
  parentId: idSchema.nullish(),
});

export async function createOrgUnit(ctx: Ctx, input: z.input<typeof createOrgUnitSchema>): Promise<{ id: string }> {
  const parsed = createOrgUnitSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ungültige Eingabe.');
  const { code, name } = parsed.data;
  const parentId = parsed.data.parentId || null;
  const scope = await authorize(ctx, 'tenant.admin', parentId ? { orgUnitId: parentId } : {});
  // an admin for a part of the district adds units only inside it
  if (!parentId && scope.orgUnitIds) throw new ForbiddenError('Sie können Einheiten nur innerhalb Ihres Bereichs anlegen.');
  const tenantId = scope.tenantId as string;
  const now = ctx.clock();
  const id = randomUUID();
  try {
    await ctx.db.transaction(async (tx) => {
      if (parentId) {
        const [parent] = await tx
          .select({ id: orgUnitTable.id })
          .from(orgUnitTable)
          .where(and(eq(orgUnitTable.id, parentId), eq(orgUnitTable.tenantId, tenantId), isNull(orgUnitTable.closedAt)));
        if (!parent) throw new NotFoundError('Diese übergeordnete Einheit gibt es nicht (mehr).');
      }
      await tx.insert(orgUnitTable).values({ id, tenantId, parentId, code, name });
      await appendAuditEvent(tx, {
        tenantId,
        actorId: actorId(ctx.actor),
        type: 'org-unit.created',
        data: { orgUnitId: id, parentId, code, unitName: name },
        at: now,
      });
    });
  } catch (e) {
    if (isDuplicateCode(e)) throw new ConflictError(`Das Kürzel „${code}“ ist in Ihrem Landkreis schon vergeben.`);
    throw e;
  }
  return { id };
}
