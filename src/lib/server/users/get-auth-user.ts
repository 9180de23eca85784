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

export async function getAuthUser(db: Db, userId: string): Promise<AuthUser | null> {
  const rows = await db
    .select({ user: userTable, tenant: tenantTable })
    .from(userTable)
    .leftJoin(tenantTable, eq(tenantTable.id, userTable.tenantId))
    .where(eq(userTable.id, userId))
    .limit(1);
  const row = rows[0];
  if (row?.user.status !== 'active') return null;
  if (row.tenant && row.tenant.status !== 'active') return null;
  const roles = await db.select({ role: userRoleTable.role }).from(userRoleTable).where(eq(userRoleTable.userId, userId));
  return {
    id: row.user.id,
    email: row.user.email,
    name: row.user.name,
    jobRole: row.user.jobRole,
    orgUnitId: row.user.orgUnitId,
    createdAt: row.user.createdAt,
    roles: roles.map((r) => r.role).sort(),
    tenant: row.tenant ? { id: row.tenant.id, slug: row.tenant.slug, name: row.tenant.name } : null,
  };
}
