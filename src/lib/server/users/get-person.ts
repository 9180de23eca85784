/**
 * One person as the admin sees them: account, org unit with its path in the tree, roles with their scope, last
 * login, and the status per course from the one status rule (computeStatusAsOf for this person; nothing recomputed).
 */
import { and, eq, sql } from 'drizzle-orm';
import { orgUnitTable, userRoleTable, userTable } from '../../../../db/schema/index.ts';
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import type { PersonStatus } from '../evidence/status-as-of.ts';
import { computeStatusAsOf } from '../evidence/status-as-of.ts';

export interface PersonDetail {
  id: string;
  name: string;
  email: string;
  externalId: string | null;
  jobRole: string;
  status: 'active' | 'disabled';
  erased: boolean;
  createdAt: Date;
  deactivatedAt: Date | null;
  lastLoginAt: Date | null;
  orgUnit: { id: string; code: string; name: string; closed: boolean } | null;
  /** The org unit's ancestors from the top of the district down to the unit itself. */
  orgPath: Array<{ id: string; code: string; name: string }>;
  roles: Array<{ role: string; scopeOrgUnitId: string | null; scopeName: string | null }>;
  learning: PersonStatus | null;
}

export async function getPerson(ctx: Ctx, userId: string): Promise<PersonDetail> {
  const scope = await authorize(ctx, 'tenant.admin', { userId });
  const tenantId = scope.tenantId as string;
  const [user] = await ctx.db
    .select()
    .from(userTable)
    .where(and(eq(userTable.id, userId), eq(userTable.tenantId, tenantId)));
  if (!user) throw new Error('unreachable: authorize checked the person');
  const [path, roles, status] = await Promise.all([
    user.orgUnitId
      ? ctx.db.all<{ id: string; code: string; name: string; closed_at: number | null; depth: number }>(sql`
          WITH RECURSIVE up(id, parent_id, code, name, closed_at, depth) AS (
            SELECT id, parent_id, code, name, closed_at, 0 FROM ${orgUnitTable} WHERE id = ${user.orgUnitId} AND tenant_id = ${tenantId}
            UNION ALL
            SELECT o.id, o.parent_id, o.code, o.name, o.closed_at, up.depth + 1 FROM ${orgUnitTable} o JOIN up ON o.id = up.parent_id
             WHERE o.tenant_id = ${tenantId} AND up.depth < 64)
          SELECT id, code, name, closed_at, depth FROM up ORDER BY depth DESC`)
      : Promise.resolve([]),
    ctx.db
      .select({ role: userRoleTable.role, scopeOrgUnitId: userRoleTable.scopeOrgUnitId, scopeName: orgUnitTable.name })
      .from(userRoleTable)
      .leftJoin(orgUnitTable, eq(orgUnitTable.id, userRoleTable.scopeOrgUnitId))
      .where(and(eq(userRoleTable.userId, userId), eq(userRoleTable.tenantId, tenantId))),
    computeStatusAsOf(ctx, scope, { asOf: ctx.clock(), current: true, userIds: [userId] }),
  ]);
  const unit = path.at(-1);
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    externalId: user.externalId,
    jobRole: user.jobRole,
    status: user.status,
    erased: user.email.endsWith('@geloescht.invalid'),
    createdAt: user.createdAt,
    deactivatedAt: user.deactivatedAt,
    lastLoginAt: user.lastLoginAt,
    orgUnit: unit ? { id: unit.id, code: unit.code, name: unit.name, closed: unit.closed_at !== null } : null,
    orgPath: path.map((p) => ({ id: p.id, code: p.code, name: p.name })),
    roles: roles.sort((a, b) => a.role.localeCompare(b.role)),
    learning: status.people.find((p) => p.userId === userId) ?? null,
  };
}
