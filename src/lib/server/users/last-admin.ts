/** The rule that a district always keeps one active admin for the whole district. */
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import { userRoleTable, userTable } from '../../../../db/schema/index.ts';
import { ConflictError } from '../errors/domain-errors.ts';
import type { Tx } from '../evidence/record.ts';

export const LAST_ADMIN_MESSAGE =
  'Das ist die letzte Administration für den ganzen Landkreis. Bitte geben Sie zuerst einer anderen aktiven Person die Rolle „Administration“ (ohne Beschränkung auf einen Bereich).';

/** Throws ConflictError when no other active, district-wide admin than `userId` would remain. */
export async function requireAnotherDistrictAdmin(tx: Pick<Tx, 'select'>, tenantId: string, userId: string): Promise<void> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)` })
    .from(userRoleTable)
    .innerJoin(userTable, eq(userTable.id, userRoleTable.userId))
    .where(
      and(
        eq(userRoleTable.tenantId, tenantId),
        eq(userRoleTable.role, 'admin'),
        isNull(userRoleTable.scopeOrgUnitId),
        eq(userTable.status, 'active'),
        ne(userRoleTable.userId, userId),
      ),
    );
  if (Number(row?.n ?? 0) === 0) throw new ConflictError(LAST_ADMIN_MESSAGE);
}

/** Whether the person holds an unscoped admin grant. */
export async function isDistrictAdmin(tx: Pick<Tx, 'select'>, tenantId: string, userId: string): Promise<boolean> {
  const rows = await tx
    .select({ role: userRoleTable.role })
    .from(userRoleTable)
    .where(
      and(
        eq(userRoleTable.tenantId, tenantId),
        eq(userRoleTable.userId, userId),
        eq(userRoleTable.role, 'admin'),
        isNull(userRoleTable.scopeOrgUnitId),
      ),
    );
  return rows.length > 0;
}
