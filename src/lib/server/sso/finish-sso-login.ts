/**
 * The provider's answer (the callback): the pending login is taken once (single use, bound to this browser), then
 * openid-client exchanges the code with the PKCE verifier and validates the id_token (signature, issuer, audience,
 * expiry, nonce; state against the stored one). The person is found, bound or created (resolve-sso-person.ts), and
 * a KIKO session begins as with a password login (the browser's previous session ends).
 */
import { timingSafeEqual } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import * as oidc from 'openid-client';
import type { Db } from '../../../../db/client.ts';
import { ssoLoginStateTable, ssoSessionTable, userIdentityTable, userTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { endPreviousSession } from '../auth/login.ts';
import { createSession } from '../auth/sessions.ts';
import type { ContentSet } from '../content/load-content.ts';
import { type AuthUser, getAuthUser } from '../users/get-auth-user.ts';
import { oidcConfiguration, SsoUnavailableError } from './oidc-config.ts';
import { resolveSsoPerson } from './resolve-sso-person.ts';
import { type Claims, mapClaims } from './sso-claims.ts';
import { requireSsoTenant } from './sso-tenant.ts';
import { browserHashOf } from './start-sso-login.ts';

/**
 * Why a login with the provider did not succeed; the login page explains each in German (login.sso.error.*):
 * - expired: no pending login for this browser (expired, already used, another browser, or a forged state)
 * - cancelled: the person cancelled at the provider, or the provider refused the request
 * - refused: the provider's answer did not pass validation (code, PKCE, id_token)
 * - unavailable: the provider could not be reached
 * - disabled: the person or the district is deactivated
 * - other-district: the identity or its claims belong to another district
 * - no-match: no account could be matched or created safely (e.g. an unverified e-mail that already has an account)
 * - missing-claims: the provider sent no usable e-mail address or name
 * (and, at the start only: rate-limited, too many login starts from one address)
 */
export const ssoFailures = [
  'expired',
  'cancelled',
  'refused',
  'unavailable',
  'disabled',
  'other-district',
  'no-match',
  'missing-claims',
] as const;
export type SsoFailure = (typeof ssoFailures)[number];
/** Reasons the login page explains: the callback's failures and the start's rate limit. */
export const ssoLoginPageErrors = [...ssoFailures, 'rate-limited'] as const;

export type SsoLoginResult = { ok: true; user: AuthUser; token: string; returnTo: string | null } | { ok: false; reason: SsoFailure };

export interface FinishSsoLoginInput {
  slug: string;
  /** The full callback URL as the browser requested it (code, state, iss …). */
  callbackUrl: URL;
  /** The secret of the browser's login cookie. */
  browserSecret: string | undefined;
  /** The session cookie the browser sent; that session ends when the login succeeds. */
  previousToken?: string;
  content: ContentSet;
  now?: Date;
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** Throws NotFoundError for an unknown district (or one without SSO); every other outcome is a typed result. */
export async function finishSsoLogin(db: Db, input: FinishSsoLoginInput): Promise<SsoLoginResult> {
  const tenant = await requireSsoTenant(db, input.slug);
  const now = input.now ?? new Date();
  const state = input.callbackUrl.searchParams.get('state');
  if (!state || !input.browserSecret) return { ok: false, reason: 'expired' };
  // taken exactly once: a replayed callback (same state) finds nothing
  const [pending] = await db
    .delete(ssoLoginStateTable)
    .where(and(eq(ssoLoginStateTable.state, state.slice(0, 200)), eq(ssoLoginStateTable.tenantId, tenant.id)))
    .returning();
  if (!pending || pending.expiresAt < now || !sameHash(pending.browserHash, browserHashOf(input.browserSecret)))
    return { ok: false, reason: 'expired' };
  if (tenant.status !== 'active') return { ok: false, reason: 'disabled' };
  if (input.callbackUrl.searchParams.has('error')) return { ok: false, reason: 'cancelled' };

  let claims: Claims;
  let issuer: string;
  let subject: string;
  try {
    const config = await oidcConfiguration(tenant.slug, tenant.sso);
    const tokens = await oidc.authorizationCodeGrant(config, input.callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const idToken = tokens.claims();
    if (!idToken) return { ok: false, reason: 'refused' };
    issuer = idToken.iss;
    subject = idToken.sub;
    claims = { ...(await userInfo(config, tokens.access_token, subject)), ...idToken };
  } catch (e) {
    if (e instanceof SsoUnavailableError) return { ok: false, reason: 'unavailable' };
    console.warn(`Anmeldung mit dem Dienstkonto (${tenant.slug}) abgelehnt: ${describe(e)}`);
    return { ok: false, reason: 'refused' };
  }

  const resolved = await resolveSsoPerson(db, {
    tenant,
    issuer,
    subject,
    claims: mapClaims(claims, tenant.sso),
    content: input.content,
    now,
  });
  if (!resolved.ok) {
    await db.transaction((tx) =>
      appendAuditEvent(tx, {
        tenantId: tenant.id,
        actorId: null,
        type: 'sso.login-refused',
        data: { issuer, reason: resolved.reason },
        at: now,
      }),
    );
    return { ok: false, reason: resolved.reason };
  }
  const user = await getAuthUser(db, resolved.userId);
  if (!user) return { ok: false, reason: 'disabled' };
  await endPreviousSession(db, input.previousToken);
  const { token, session } = await createSession(db, user.id, now);
  await db.transaction(async (tx) => {
    await tx.insert(ssoSessionTable).values({ sessionId: session.id, tenantId: tenant.id, issuer });
    await tx.update(userTable).set({ lastLoginAt: now }).where(eq(userTable.id, user.id));
    await tx
      .update(userIdentityTable)
      .set({ lastLoginAt: now })
      .where(and(eq(userIdentityTable.issuer, issuer), eq(userIdentityTable.subject, subject)));
    await appendAuditEvent(tx, {
      tenantId: tenant.id,
      actorId: user.id,
      type: 'user.login',
      subjectId: user.id,
      data: { method: 'sso', how: resolved.how },
      at: now,
    });
  });
  return { ok: true, user, token, returnTo: pending.returnTo };
}

/** UserInfo claims (Keycloak and oidc-provider put directory claims there); none when the provider offers none. */
async function userInfo(config: oidc.Configuration, accessToken: string | undefined, subject: string): Promise<Claims> {
  if (!accessToken || !config.serverMetadata().userinfo_endpoint) return {};
  try {
    return (await oidc.fetchUserInfo(config, accessToken, subject)) as Claims;
  } catch {
    return {};
  }
}

/** An error's name and code for the log: never tokens, codes or secrets. */
function describe(e: unknown): string {
  if (e && typeof e === 'object') {
    const { name, code, error } = e as { name?: unknown; code?: unknown; error?: unknown };
    return [name, code, error].filter((v) => typeof v === 'string').join(' ') || 'unbekannter Fehler';
  }
  return 'unbekannter Fehler';
}
