/**
 * Sets a person's role grants (learner, multiplier, hr, admin, staff-council; hr, admin and staff-council optionally
 * limited to an org subtree). The new grants are a roles.changed fact in the learning record with an audit entry.
 * An admin for part of the district grants only within it; the last district-wide admin keeps their grant.
 */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { orgUnitTable, sessionTable, userRoleTable, userTable } from '../../../../db/schema/index.ts';
import { grantableRoles, subtreeScopedRoles } from '../../shared/people-labels.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { forgetSession } from '../auth/session-cache.ts';
import { authorize, inScope } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { appendFact } from '../evidence/record.ts';
import { isDistrictAdmin, requireAnotherDistrictAdmin } from './last-admin.ts';

export const setPersonRolesSchema = z.object({
  userId: z.string().min(1).max(100),
  grants: z
    .array(z.object({ role: z.enum(grantableRoles), scopeOrgUnitId: z.string().min(1).max(100).nullish() }))
    .min(1, 'Bitte mindestens eine Rolle wählen.')
    .max(grantableRoles.length),
});

export async function setPersonRoles(ctx: Ctx, input: z.input<typeof setPersonRolesSchema>): Promise<{ changed: boolean }> {
  const parsed = setPersonRolesSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ungültige Eingabe.');
  const { userId } = parsed.data;
  const scope = await authorize(ctx, 'tenant.admin', { userId });
  const tenantId = scope.tenantId as string;
  const grants = [...new Map(parsed.data.grants.map((g) => [g.role, g])).values()]
    .map((g) => ({ role: g.role, scopeOrgUnitId: subtreeScopedRoles.includes(g.role) ? (g.scopeOrgUnitId ?? null) : null }))
    .sort((a, b) => a.role.localeCompare(b.role));
  for (const g of grants) {
    if (g.scopeOrgUnitId) await authorize(ctx, 'tenant.admin', { orgUnitId: g.scopeOrgUnitId });
    else if (scope.orgUnitIds && subtreeScopedRoles.includes(g.role))
      throw new ForbiddenError('Sie können diese Rolle nur für eine Einheit in Ihrem Bereich vergeben.');
    if (g.scopeOrgUnitId && !inScope(scope, g.scopeOrgUnitId)) throw new NotFoundError('Nicht gefunden.');
  }
  const now = ctx.clock();
  const result = await ctx.db.transaction(async (tx) => {
    const [user] = await tx
      .select({ id: userTable.id })
      .from(userTable)
      .where(and(eq(userTable.id, userId), eq(userTable.tenantId, tenantId)));
    if (!user) throw new NotFoundError('Diese Person gibt es in Ihrem Landkreis nicht.');
    for (const g of grants)
      if (g.scopeOrgUnitId) {
        const [unit] = await tx
          .select({ closedAt: orgUnitTable.closedAt })
          .from(orgUnitTable)
          .where(and(eq(orgUnitTable.id, g.scopeOrgUnitId), eq(orgUnitTable.tenantId, tenantId)));
        if (!unit || unit.closedAt) throw new NotFoundError('Diese Organisationseinheit gibt es nicht (mehr).');
      }
    const before = await tx
      .select({ role: userRoleTable.role, scopeOrgUnitId: userRoleTable.scopeOrgUnitId })
      .from(userRoleTable)
      .where(and(eq(userRoleTable.userId, userId), eq(userRoleTable.tenantId, tenantId)));
    const key = (gs: Array<{ role: string; scopeOrgUnitId: string | null }>): string =>
      JSON.stringify([...gs].sort((a, b) => a.role.localeCompare(b.role)).map((g) => [g.role, g.scopeOrgUnitId]));
    if (key(before) === key(grants)) return { changed: false };
    // an admin for part of the district cannot take away grants outside it
    if (scope.orgUnitIds)
      for (const b of before)
        if (
          subtreeScopedRoles.includes(b.role as never) &&
          !(b.scopeOrgUnitId && inScope(scope, b.scopeOrgUnitId)) &&
          !grants.some((g) => g.role === b.role && g.scopeOrgUnitId === b.scopeOrgUnitId)
        )
          throw new ForbiddenError(
            'Diese Rolle gilt über Ihren Bereich hinaus; nur die Administration des ganzen Landkreises kann sie ändern.',
          );
    const staysDistrictAdmin = grants.some((g) => g.role === 'admin' && g.scopeOrgUnitId === null);
    if (!staysDistrictAdmin && (await isDistrictAdmin(tx, tenantId, userId))) await requireAnotherDistrictAdmin(tx, tenantId, userId);
    await tx.delete(userRoleTable).where(and(eq(userRoleTable.userId, userId), eq(userRoleTable.tenantId, tenantId)));
    await tx.insert(userRoleTable).values(grants.map((g) => ({ userId, role: g.role, tenantId, scopeOrgUnitId: g.scopeOrgUnitId })));
    const by = actorId(ctx.actor);
    await appendFact(tx, { tenantId, type: 'roles.changed', userId, data: { grants }, effectiveAt: now, recordedAt: now, actorId: by });
    await appendAuditEvent(tx, {
      tenantId,
      actorId: by,
      type: 'user.roles-changed',
      subjectId: userId,
      data: { grants, previous: before },
      at: now,
    });
    return { changed: true };
  });
  // the new roles count from the next request in every server process, not only after the session cache's TTL
  if (result.changed) {
    const sessions = await ctx.db.select({ id: sessionTable.id }).from(sessionTable).where(eq(sessionTable.userId, userId));
    for (const s of sessions) forgetSession(s.id);
  }
  return result;
}
