/** Loads the signed-in user with tenant and roles: what `locals.user` holds. */
import { eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { tenantTable, type UserRole, userRoleTable, userTable } from '../../../../db/schema/index.ts';

export interface AuthUser {
  id: string;
  email: string;
  name: string;
  jobRole: string;
  orgUnitId: string | null;
  /** When the account was created. */
  createdAt: Date;
  roles: UserRole[];
  /** Null for platform operators. */
  tenant: { id: string; slug: string; name: string } | null;
}

type UserRow = typeof userTable.$inferSelect;
type TenantRow = typeof tenantTable.$inferSelect;

/** The AuthUser of an active account (in an active district, or an operator without one); null otherwise. */
export function toAuthUser(user: UserRow, tenant: TenantRow | null, roles: readonly UserRole[]): AuthUser | null {
  if (user.status !== 'active' || (tenant && tenant.status !== 'active')) return null;
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    jobRole: user.jobRole,
    orgUnitId: user.orgUnitId,
    createdAt: user.createdAt,
    roles: [...roles].sort(),
    tenant: tenant ? { id: tenant.id, slug: tenant.slug, name: tenant.name } : null,
  };
}

export async function getAuthUser(db: Db, userId: string): Promise<AuthUser | null> {
  const rows = await db
    .select({ user: userTable, tenant: tenantTable })
    .from(userTable)
    .leftJoin(tenantTable, eq(tenantTable.id, userTable.tenantId))
    .where(eq(userTable.id, userId))
    .limit(1);
  const row = rows[0];
  if (!row || !toAuthUser(row.user, row.tenant, [])) return null;
  const roles = await db.select({ role: userRoleTable.role }).from(userRoleTable).where(eq(userRoleTable.userId, userId));
  return toAuthUser(
    row.user,
    row.tenant,
    roles.map((r) => r.role),
  );
}
