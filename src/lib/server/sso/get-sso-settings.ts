/** What the admin page shows of the district's single sign-on: the settings, and whether the secret is set (never its value). */
import { eq } from 'drizzle-orm';
import { orgUnitTable, tenantTable } from '../../../../db/schema/index.ts';
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { NotFoundError } from '../errors/domain-errors.ts';
import { readTenantSettings } from '../tenancy/tenant-settings.ts';
import { clientSecretOf, type SsoSettings, secretEnvName } from './sso-settings.ts';

export interface SsoSettingsView {
  slug: string;
  sso: SsoSettings | null;
  /** Name of the environment variable with the client secret. */
  secretEnvName: string;
  secretSet: boolean;
  /** Path of the callback to register at the provider (prefix it with KIKO's public address). */
  callbackPath: string;
  orgUnits: Array<{ code: string; name: string }>;
}

export async function getSsoSettings(ctx: Ctx): Promise<SsoSettingsView> {
  const scope = await authorize(ctx, 'tenant.admin');
  const tenantId = scope.tenantId as string;
  const [tenant] = await ctx.db.select().from(tenantTable).where(eq(tenantTable.id, tenantId));
  if (!tenant) throw new NotFoundError('Diesen Landkreis gibt es nicht.');
  const orgUnits = await ctx.db
    .select({ code: orgUnitTable.code, name: orgUnitTable.name })
    .from(orgUnitTable)
    .where(eq(orgUnitTable.tenantId, tenantId))
    .orderBy(orgUnitTable.code);
  return {
    slug: tenant.slug,
    sso: readTenantSettings(tenant.settings).sso ?? null,
    secretEnvName: secretEnvName(tenant.slug),
    secretSet: clientSecretOf(tenant.slug) !== undefined,
    callbackPath: `/anmelden/sso/${tenant.slug}/callback`,
    orgUnits,
  };
}
