/**
 * Moves a person to another org unit and/or job role. The change is a fact in the learning record with the date it
 * took effect (an import may state a move of last week), so evidence for earlier dates keeps the old membership.
 */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { orgUnitTable, userTable } from '../../../../db/schema/index.ts';
import { jobRoleSchema } from '../../shared/content-schema.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { appendFact } from '../evidence/record.ts';

export const changeMembershipSchema = z.object({
  userId: z.string().min(1).max(100),
  orgUnitId: z.string().min(1).max(100).nullable().optional(),
  jobRole: jobRoleSchema.exclude(['alle']).optional(),
  /** When the change took effect (default: now); never in the future. */
  effectiveAt: z.date().optional(),
});

export async function changeMembership(ctx: Ctx, input: z.input<typeof changeMembershipSchema>): Promise<void> {
  const parsed = changeMembershipSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ungültige Eingabe.');
  const { userId } = parsed.data;
  const scope = await authorize(ctx, 'tenant.admin', { userId });
  const tenantId = scope.tenantId as string;
  const now = ctx.clock();
  const effectiveAt = parsed.data.effectiveAt ?? now;
  if (effectiveAt > now) throw new ValidationError('Eine Änderung kann nicht in der Zukunft wirksam werden.');
  if (parsed.data.orgUnitId) await authorize(ctx, 'tenant.admin', { orgUnitId: parsed.data.orgUnitId });
  await ctx.db.transaction(async (tx) => {
    const [user] = await tx
      .select()
      .from(userTable)
      .where(and(eq(userTable.id, userId), eq(userTable.tenantId, tenantId)));
    if (!user) throw new NotFoundError('Diese Person gibt es in Ihrem Landkreis nicht.');
    const orgUnitId = parsed.data.orgUnitId === undefined ? user.orgUnitId : parsed.data.orgUnitId;
    if (orgUnitId) {
      const [unit] = await tx
        .select({ id: orgUnitTable.id })
        .from(orgUnitTable)
        .where(and(eq(orgUnitTable.id, orgUnitId), eq(orgUnitTable.tenantId, tenantId)));
      if (!unit) throw new NotFoundError('Diese Organisationseinheit gibt es in Ihrem Landkreis nicht.');
    }
    const jobRole = parsed.data.jobRole ?? user.jobRole;
    const by = actorId(ctx.actor);
    await appendFact(tx, {
      tenantId,
      type: 'membership.changed',
      userId,
      data: { orgUnitId, jobRole, status: user.status },
      effectiveAt,
      recordedAt: now,
      actorId: by,
    });
    await tx
      .update(userTable)
      .set({ orgUnitId, jobRole })
      .where(and(eq(userTable.id, userId), eq(userTable.tenantId, tenantId)));
    await appendAuditEvent(tx, {
      tenantId,
      actorId: by,
      type: 'user.membership-changed',
      subjectId: userId,
      data: { orgUnitId, jobRole, effectiveAt: effectiveAt.toISOString() },
      at: now,
    });
  });
}
