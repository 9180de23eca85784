/** Tenants of the installation with their head count: what the platform operator sees (no learning data). */
import { count, eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { tenantTable, userTable } from '../../../../db/schema/index.ts';

export interface TenantSummary {
  id: string;
  slug: string;
  name: string;
  status: 'active' | 'suspended';
  users: number;
}

export async function listTenants(db: Db): Promise<TenantSummary[]> {
  const rows = await db
    .select({ id: tenantTable.id, slug: tenantTable.slug, name: tenantTable.name, status: tenantTable.status, users: count(userTable.id) })
    .from(tenantTable)
    .leftJoin(userTable, eq(userTable.tenantId, tenantTable.id))
    .groupBy(tenantTable.id)
    .orderBy(tenantTable.name);
  return rows;
}
