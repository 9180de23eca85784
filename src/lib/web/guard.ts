/**
 * Page guards (the thin adapter between Astro pages and the authorization module): anonymous users go to the login
 * page; otherwise the page's action is decided by `authorize` (src/lib/server/authz/authorize.ts) — the same decision
 * the verbs take — and users without permission get the German 403 page. A passed guard hands the page its context.
 */
import type { AstroGlobal } from 'astro';
import { authorize, type Scope } from '../server/authz/authorize.ts';
import type { Action } from '../server/authz/can.ts';
import type { Ctx } from '../server/context.ts';
import { ForbiddenError, NotFoundError } from '../server/errors/domain-errors.ts';
import type { AuthUser } from '../server/users/get-auth-user.ts';
import { requestContext } from './context.ts';

export type GuardResult = { ok: true; user: AuthUser; ctx: Ctx; scope: Scope } | { ok: false; response: Response };

export async function guardPage(astro: AstroGlobal, action: Action): Promise<GuardResult> {
  const user = astro.locals.user;
  if (!user) {
    const next = encodeURIComponent(astro.url.pathname + astro.url.search);
    return { ok: false, response: astro.redirect(`/anmelden?weiter=${next}`) };
  }
  const ctx = await requestContext(astro.locals);
  try {
    const scope = await authorize(ctx, action);
    return { ok: true, user, ctx, scope };
  } catch (e) {
    if (e instanceof ForbiddenError) return { ok: false, response: await astro.rewrite('/403') };
    if (e instanceof NotFoundError) return { ok: false, response: await astro.rewrite('/404') };
    throw e;
  }
}

/** Stand-in origin for parsing when the caller has none: only the comparison with itself matters. */
const PARSE_ORIGIN = 'http://kiko.invalid';

/**
 * A redirect target after login or a language switch, made safe against open redirects: the value is parsed with
 * the URL API the way a browser resolves a `Location` header (tabs and line breaks dropped, `\` read as `/`,
 * dot segments removed), and only a result on the same origin is kept. Returns pathname + search + hash of the
 * parsed URL (never the raw input), or null. See https://url.spec.whatwg.org/#concept-basic-url-parser.
 */
export function safeNext(value: string | null | undefined, origin: string = PARSE_ORIGIN): string | null {
  if (!value?.startsWith('/')) return null;
  let base: URL;
  let url: URL;
  try {
    base = new URL(origin);
    url = new URL(value, base);
  } catch {
    return null;
  }
  if (url.origin !== base.origin) return null;
  // "/.//evil.example" parses to the path "//evil.example", which a browser would read as another host
  if (url.pathname.startsWith('//')) return null;
  return url.pathname + url.search + url.hash;
}
