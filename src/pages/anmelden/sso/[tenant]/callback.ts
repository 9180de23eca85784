/**
 * The identity provider sends the browser back here (public: the login is being finished). The verb validates
 * everything (single-use state bound to this browser, PKCE, id_token); on success the KIKO session cookie is set as
 * with a password login, otherwise the login page explains in German what went wrong.
 */
import type { APIRoute } from 'astro';
import { z } from 'zod';
import { getDb } from '../../../../lib/server/app-context.ts';
import { SESSION_COOKIE, setSessionCookie } from '../../../../lib/server/auth/session-cookie.ts';
import { homePathFor } from '../../../../lib/server/authz/can.ts';
import { NotFoundError } from '../../../../lib/server/errors/domain-errors.ts';
import { getContent } from '../../../../lib/server/learning/content-registry.ts';
import { finishSsoLogin } from '../../../../lib/server/sso/finish-sso-login.ts';
import { clearSsoLoginCookie, loginPageWithError, publicOrigin, SSO_LOGIN_COOKIE, ssoCallbackUrl } from '../../../../lib/web/sso-web.ts';

const slugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);

export const GET: APIRoute = async (context) => {
  const slug = slugSchema.safeParse(context.params.tenant);
  if (!slug.success) return context.rewrite('/404');
  // the URL the provider redirected to, as registered (behind a proxy the server sees another origin)
  const callbackUrl = new URL(ssoCallbackUrl(publicOrigin(context.url, context.locals.secure), slug.data));
  callbackUrl.search = context.url.search;
  try {
    const result = await finishSsoLogin(await getDb(), {
      slug: slug.data,
      callbackUrl,
      browserSecret: context.cookies.get(SSO_LOGIN_COOKIE)?.value,
      previousToken: context.cookies.get(SESSION_COOKIE)?.value,
      content: getContent(),
    });
    clearSsoLoginCookie(context.cookies, slug.data);
    if (!result.ok) return context.redirect(loginPageWithError(slug.data, result.reason), 303);
    setSessionCookie(context.cookies, result.token, context.locals.secure);
    return context.redirect(result.returnTo ?? homePathFor(result.user), 303);
  } catch (e) {
    if (e instanceof NotFoundError) return context.rewrite('/404');
    throw e;
  }
};
