/** Web side of single sign-on: KIKO's public origin for the provider's redirects, and the short-lived login cookie. */
import type { AstroCookies } from 'astro';
import { z } from 'zod';
import { getEnv } from '../server/config/env.ts';
import { ssoLoginPageErrors } from '../server/sso/finish-sso-login.ts';
import { SSO_LOGIN_TTL_SECONDS } from '../server/sso/start-sso-login.ts';

/** Holds the browser's secret of a pending login (its hash is stored with state, nonce and PKCE verifier). */
export const SSO_LOGIN_COOKIE = 'kiko_sso_login';

/**
 * The origin the provider sends the browser back to: KIKO_PUBLIC_URL when set (required in production, so a Host
 * header never decides it), else the address of this request.
 */
export function publicOrigin(url: URL, secure: boolean): string {
  const configured = getEnv().KIKO_PUBLIC_URL;
  if (configured) return new URL(configured).origin;
  return `${secure ? 'https:' : url.protocol}//${url.host}`;
}

export function ssoCallbackUrl(origin: string, slug: string): string {
  return `${origin}/anmelden/sso/${encodeURIComponent(slug)}/callback`;
}

/** Where the provider sends the browser after its logout (register it at the provider as post-logout redirect URI). */
export function postLogoutUrl(origin: string): string {
  return `${origin}/anmelden?abgemeldet`;
}

const cookiePath = (slug: string): string => `/anmelden/sso/${encodeURIComponent(slug)}`;

/** HttpOnly, SameSite=Lax (the provider's redirect back is a top-level GET), only for this district's SSO paths. */
export function setSsoLoginCookie(cookies: AstroCookies, slug: string, secret: string, secureRequest: boolean): void {
  cookies.set(SSO_LOGIN_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'lax',
    secure: getEnv().KIKO_SECURE_COOKIES ?? secureRequest,
    path: cookiePath(slug),
    maxAge: SSO_LOGIN_TTL_SECONDS,
  });
}

export function clearSsoLoginCookie(cookies: AstroCookies, slug: string): void {
  cookies.delete(SSO_LOGIN_COOKIE, { path: cookiePath(slug) });
}

/** The login page with a German explanation of why the login with the provider did not work. */
export function loginPageWithError(slug: string, reason: string): string {
  return `/anmelden?landkreis=${encodeURIComponent(slug)}&sso-fehler=${encodeURIComponent(reason)}`;
}

/** The reasons the login page can explain (finish-sso-login.ts SsoFailure); other values of the parameter are ignored. */
export const ssoFailureSchema = z.enum(ssoLoginPageErrors);
