/** The district of an SSO route, found by its slug: only a district with single sign-on switched on has these routes. */
import { eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { tenantTable } from '../../../../db/schema/index.ts';
import { NotFoundError } from '../errors/domain-errors.ts';
import { readTenantSettings } from '../tenancy/tenant-settings.ts';
import type { SsoSettings } from './sso-settings.ts';

export interface SsoTenant {
  id: string;
  slug: string;
  name: string;
  status: 'active' | 'suspended';
  sso: SsoSettings;
}

/** The district with its SSO settings, or NotFoundError (unknown slug, or no single sign-on). */
export async function requireSsoTenant(db: Db, slug: string): Promise<SsoTenant> {
  const row = await db.query.tenantTable.findFirst({ where: eq(tenantTable.slug, slug.slice(0, 100)) });
  const sso = row ? readTenantSettings(row.settings).sso : undefined;
  if (!row || !sso?.enabled) throw new NotFoundError('Diesen Landkreis gibt es nicht, oder er nutzt keine Anmeldung mit dem Dienstkonto.');
  return { id: row.id, slug: row.slug, name: row.name, status: row.status, sso };
}

/** Active districts with single sign-on switched on (the login page offers their button). */
export async function listSsoTenants(db: Db): Promise<Array<{ slug: string; name: string; passwordLogin: boolean }>> {
  const rows = await db
    .select({ slug: tenantTable.slug, name: tenantTable.name, settings: tenantTable.settings })
    .from(tenantTable)
    .where(eq(tenantTable.status, 'active'));
  return rows.flatMap((r) => {
    const sso = readTenantSettings(r.settings).sso;
    return sso?.enabled ? [{ slug: r.slug, name: r.name, passwordLogin: sso.passwordLogin }] : [];
  });
}
