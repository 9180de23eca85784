/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): a KIKO session that began with single sign-on also
 * ends at the provider when the provider offers an `end_session_endpoint`; the provider then sends the browser back
 * to KIKO's login page. Read before the KIKO session is deleted (the sso_sessions row goes with it).
 */
import { eq } from 'drizzle-orm';
import * as oidc from 'openid-client';
import type { Db } from '../../../../db/client.ts';
import { ssoSessionTable, tenantTable } from '../../../../db/schema/index.ts';
import { readTenantSettings } from '../tenancy/tenant-settings.ts';
import { oidcConfiguration } from './oidc-config.ts';

/** The provider's logout URL for this session, or null (password session, no end_session_endpoint, provider down). */
export async function getSsoLogoutUrl(db: Db, sessionId: string, postLogoutRedirectUri: string): Promise<URL | null> {
  const [row] = await db
    .select({ slug: tenantTable.slug, settings: tenantTable.settings })
    .from(ssoSessionTable)
    .innerJoin(tenantTable, eq(tenantTable.id, ssoSessionTable.tenantId))
    .where(eq(ssoSessionTable.sessionId, sessionId));
  const sso = row ? readTenantSettings(row.settings).sso : undefined;
  if (!row || !sso) return null;
  try {
    const config = await oidcConfiguration(row.slug, sso);
    if (!config.serverMetadata().end_session_endpoint) return null;
    return oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: postLogoutRedirectUri });
  } catch {
    // the KIKO session ends in any case; the provider's session then ends with its own timeout
    return null;
  }
}
