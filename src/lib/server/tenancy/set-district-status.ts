/**
 * The platform operator suspends or reactivates a district. Suspension ends every session of the district's people
 * at once (deleted, and evicted from every server process's cache, see session-cache.ts); from then on nobody of the
 * district can sign in (password or single sign-on: toAuthUser refuses people of a suspended district). The data
 * stays untouched, and reactivation lets everyone sign in again. Status change and audit entry commit together.
 */
import { eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { sessionTable, tenantTable, userTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { forgetSession } from '../auth/session-cache.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { NotFoundError, ValidationError } from '../errors/domain-errors.ts';

export const setDistrictStatusSchema = z.object({
  tenantId: z.string().min(1).max(100),
  status: z.enum(['active', 'suspended']),
  /** The operator types the district's slug to confirm a suspension. */
  confirmation: z.string().max(100).optional(),
});

export async function setDistrictStatus(
  ctx: Ctx,
  input: z.input<typeof setDistrictStatusSchema>,
): Promise<{ changed: boolean; sessionsEnded: number }> {
  await authorize(ctx, 'platform.operate');
  const parsed = setDistrictStatusSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError('Ungültige Eingabe.');
  const { tenantId, status, confirmation } = parsed.data;
  const now = ctx.clock();
  const ended = await ctx.db.transaction(async (tx) => {
    const [tenant] = await tx.select().from(tenantTable).where(eq(tenantTable.id, tenantId));
    if (!tenant) throw new NotFoundError('Diesen Landkreis gibt es nicht.');
    if (status === 'suspended' && (confirmation ?? '').trim().toLowerCase() !== tenant.slug)
      throw new ValidationError(`Zur Bestätigung bitte das Kürzel des Landkreises genau eingeben: ${tenant.slug}`, {
        confirmation: 'Das Kürzel stimmt nicht überein.',
      });
    if (tenant.status === status) return null;
    await tx.update(tenantTable).set({ status }).where(eq(tenantTable.id, tenantId));
    const sessions =
      status === 'suspended'
        ? await tx
            .delete(sessionTable)
            .where(inArray(sessionTable.userId, tx.select({ id: userTable.id }).from(userTable).where(eq(userTable.tenantId, tenantId))))
            .returning({ id: sessionTable.id })
        : [];
    await appendAuditEvent(tx, {
      tenantId,
      actorId: actorId(ctx.actor),
      type: status === 'suspended' ? 'tenant.suspended' : 'tenant.reactivated',
      data: { sessionsEnded: sessions.length },
      at: now,
    });
    return sessions;
  });
  for (const s of ended ?? []) forgetSession(s.id);
  return { changed: ended !== null, sessionsEnded: ended?.length ?? 0 };
}
