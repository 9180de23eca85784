/** Whether a district's people may sign in with a KIKO password (a district with single sign-on may switch it off). */
import { eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { tenantTable } from '../../../../db/schema/index.ts';
import { readTenantSettings } from '../tenancy/tenant-settings.ts';

/** True for platform operators (no district) and for districts without SSO or with password login left on. */
export async function isPasswordLoginAllowed(db: Db, tenantId: string | null): Promise<boolean> {
  if (!tenantId) return true;
  const row = await db.query.tenantTable.findFirst({ columns: { settings: true }, where: eq(tenantTable.id, tenantId) });
  const sso = row ? readTenantSettings(row.settings).sso : undefined;
  return !sso?.enabled || sso.passwordLogin;
}
