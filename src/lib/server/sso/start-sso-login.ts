/**
 * Starts a login with the district's provider: authorization code flow with PKCE (S256), `state` and `nonce`
 * (openid-client's random helpers). The verifier and nonce stay on the server in `sso_login_states`, bound to the
 * browser by the hash of a cookie secret; the browser only carries that secret (HttpOnly, SameSite=Lax, minutes).
 */
import { createHash } from 'node:crypto';
import { lt } from 'drizzle-orm';
import * as oidc from 'openid-client';
import type { Db } from '../../../../db/client.ts';
import { ssoLoginStateTable } from '../../../../db/schema/index.ts';
import { NotFoundError, RateLimitedError } from '../errors/domain-errors.ts';
import { oidcConfiguration } from './oidc-config.ts';
import { allowSsoStart } from './sso-start-limit.ts';
import { requireSsoTenant } from './sso-tenant.ts';

/** How long the provider may take (the person types their password there). */
export const SSO_LOGIN_TTL_SECONDS = 10 * 60;

/** Scopes asked for: the standard claims; directory claims (org unit, personnel number) come with `profile`. */
const SCOPE = 'openid email profile';

export function browserHashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface StartSsoLoginInput {
  slug: string;
  /** The callback URL registered at the provider: <public URL>/anmelden/sso/<slug>/callback. */
  redirectUri: string;
  /** A safe same-origin path to return to (guard.ts safeNext), or null. */
  returnTo: string | null;
  /** Client address (behind a trusted proxy: from X-Forwarded-For); starts are limited per address. */
  ip?: string;
  now?: Date;
}

/**
 * Where to send the browser, and the secret for its login cookie. Throws NotFound, SsoUnavailableError and
 * RateLimitedError (too many starts from one address).
 */
export async function startSsoLogin(db: Db, input: StartSsoLoginInput): Promise<{ url: URL; browserSecret: string }> {
  const tenant = await requireSsoTenant(db, input.slug);
  if (tenant.status !== 'active') throw new NotFoundError('Dieser Landkreis ist derzeit gesperrt.');
  if (input.ip !== undefined && !(await allowSsoStart(db, input.ip)))
    throw new RateLimitedError('Zu viele Anmeldeversuche von dieser Adresse. Bitte versuchen Sie es in einigen Minuten erneut.', 600);
  const config = await oidcConfiguration(tenant.slug, tenant.sso, { fresh: true });
  const now = input.now ?? new Date();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const browserSecret = oidc.randomState();
  // logins that were never finished are useless after their lifetime
  await db.delete(ssoLoginStateTable).where(lt(ssoLoginStateTable.expiresAt, now));
  await db.insert(ssoLoginStateTable).values({
    state,
    tenantId: tenant.id,
    browserHash: browserHashOf(browserSecret),
    codeVerifier,
    nonce,
    returnTo: input.returnTo,
    createdAt: now,
    expiresAt: new Date(now.getTime() + SSO_LOGIN_TTL_SECONDS * 1000),
  });
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: input.redirectUri,
    scope: SCOPE,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url, browserSecret };
}
