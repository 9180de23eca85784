/**
 * Deactivates or reactivates a person. Deactivation ends all their sessions at once (in every server process, see
 * session-cache.ts) and login is refused from then on; the change is a membership fact (status) in the learning
 * record with an audit entry. The last district-wide admin cannot be deactivated.
 */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { sessionTable, userTable } from '../../../../db/schema/index.ts';
import { forgetSession } from '../auth/session-cache.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { recordMembershipChanges } from './change-membership.ts';
import { requireAnotherDistrictAdmin } from './last-admin.ts';

export const setPersonActiveSchema = z.object({ userId: z.string().min(1).max(100), active: z.boolean() });

export async function setPersonActive(ctx: Ctx, input: z.input<typeof setPersonActiveSchema>): Promise<{ sessionsEnded: number }> {
  const parsed = setPersonActiveSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError('Ungültige Eingabe.');
  const { userId, active } = parsed.data;
  const scope = await authorize(ctx, 'tenant.admin', { userId });
  const tenantId = scope.tenantId as string;
  const now = ctx.clock();
  const ended = await ctx.db.transaction(async (tx) => {
    const [user] = await tx
      .select()
      .from(userTable)
      .where(and(eq(userTable.id, userId), eq(userTable.tenantId, tenantId)));
    if (!user) throw new NotFoundError('Diese Person gibt es in Ihrem Landkreis nicht.');
    if (user.email.endsWith('@geloescht.invalid'))
      throw new ConflictError('Die Daten dieser Person sind gelöscht; sie kann nicht wieder aktiviert werden.');
    const status = active ? 'active' : 'disabled';
    if (user.status === status) return [];
    if (!active) {
      if (ctx.actor.kind === 'person' && ctx.actor.user.id === userId)
        throw new ConflictError('Sie können Ihr eigenes Konto nicht deaktivieren.');
      await requireAnotherDistrictAdmin(tx, tenantId, userId);
    }
    await recordMembershipChanges(tx, {
      tenantId,
      actorId: actorId(ctx.actor),
      at: now,
      changes: [{ userId, orgUnitId: user.orgUnitId, jobRole: user.jobRole, status }],
      auditType: active ? 'user.reactivated' : 'user.deactivated',
    });
    if (active) return [];
    return tx.delete(sessionTable).where(eq(sessionTable.userId, userId)).returning({ id: sessionTable.id });
  });
  for (const s of ended) forgetSession(s.id);
  return { sessionsEnded: ended.length };
}
