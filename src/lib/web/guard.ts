/**
 * Page guards (the thin adapter between Astro pages and the authorization module): anonymous users
 * go to the login page, users without permission get the German 403 page.
 */
import type { AstroGlobal } from 'astro';
import { type Action, can, type Target } from '../server/authz/can.ts';
import type { AuthUser } from '../server/users/get-auth-user.ts';

export type GuardResult = { ok: true; user: AuthUser } | { ok: false; response: Response };

export async function guardPage(astro: AstroGlobal, action: Action, target?: Target): Promise<GuardResult> {
  const user = astro.locals.user;
  if (!user) {
    const next = encodeURIComponent(astro.url.pathname + astro.url.search);
    return { ok: false, response: astro.redirect(`/anmelden?weiter=${next}`) };
  }
  if (!can(user, action, target)) return { ok: false, response: await astro.rewrite('/403') };
  return { ok: true, user };
}

/** Only same-site relative paths may be used as redirect targets after login (no open redirects). */
export function safeNext(value: string | null | undefined): string | null {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  return value;
}
