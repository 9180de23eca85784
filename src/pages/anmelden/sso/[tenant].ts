/**
 * Starts the login with the district's identity provider (public: the person is not signed in yet). Unknown district
 * or one without single sign-on → 404; an unreachable provider → back to the login page with a German message.
 */
import type { APIRoute } from 'astro';
import { z } from 'zod';
import { getDb } from '../../../lib/server/app-context.ts';
import { NotFoundError, RateLimitedError } from '../../../lib/server/errors/domain-errors.ts';
import { SsoUnavailableError } from '../../../lib/server/sso/oidc-config.ts';
import { startSsoLogin } from '../../../lib/server/sso/start-sso-login.ts';
import { safeNext } from '../../../lib/web/guard.ts';
import { loginPageWithError, publicOrigin, setSsoLoginCookie, ssoCallbackUrl } from '../../../lib/web/sso-web.ts';

const slugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);

export const GET: APIRoute = async (context) => {
  const slug = slugSchema.safeParse(context.params.tenant);
  if (!slug.success) return context.rewrite('/404');
  const origin = publicOrigin(context.url, context.locals.secure);
  try {
    const { url, browserSecret } = await startSsoLogin(await getDb(), {
      slug: slug.data,
      redirectUri: ssoCallbackUrl(origin, slug.data),
      returnTo: safeNext(context.url.searchParams.get('weiter')),
      ip: context.locals.clientIp,
    });
    setSsoLoginCookie(context.cookies, slug.data, browserSecret, context.locals.secure);
    return context.redirect(url.href, 303);
  } catch (e) {
    if (e instanceof NotFoundError) return context.rewrite('/404');
    if (e instanceof RateLimitedError) return context.redirect(loginPageWithError(slug.data, 'rate-limited'), 303);
    if (e instanceof SsoUnavailableError) {
      console.warn(`Anmeldedienst von ${slug.data} nicht erreichbar: ${String((e.cause as Error | undefined)?.message ?? '')}`);
      return context.redirect(loginPageWithError(slug.data, 'unavailable'), 303);
    }
    throw e;
  }
};
