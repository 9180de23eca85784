/** The session cookie: HttpOnly, SameSite=Lax, Secure behind https, lifetime = absolute session lifetime. */
import type { AstroCookies } from 'astro';
import { getEnv } from '../config/env.ts';

export const SESSION_COOKIE = 'kiko_session';

export function sessionPolicy(): { idleMs: number; absoluteMs: number } {
  const env = getEnv();
  return { idleMs: env.KIKO_SESSION_IDLE_HOURS * 3_600_000, absoluteMs: env.KIKO_SESSION_MAX_HOURS * 3_600_000 };
}

export function setSessionCookie(cookies: AstroCookies, token: string, secureRequest: boolean): void {
  const env = getEnv();
  cookies.set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: env.KIKO_SECURE_COOKIES ?? secureRequest,
    path: '/',
    maxAge: Math.floor(sessionPolicy().absoluteMs / 1000),
  });
}

export function clearSessionCookie(cookies: AstroCookies): void {
  cookies.delete(SESSION_COOKIE, { path: '/' });
}
