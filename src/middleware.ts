/**
 * Per request: client address and protocol (trusted proxies only), the same-origin check for form posts, locale,
 * request size guard, session cookie → locals.user / locals.session, security headers.
 */
import { defineMiddleware } from 'astro:middleware';
import { isLocale, translator } from './i18n/index.ts';
import { getDb } from './lib/server/app-context.ts';
import { getSessionUser } from './lib/server/auth/get-session-user.ts';
import { clearSessionCookie, SESSION_COOKIE, sessionPolicy } from './lib/server/auth/session-cookie.ts';
import { getEnv } from './lib/server/config/env.ts';
import { BODY_TOO_LARGE_MESSAGE, MAX_BODY_BYTES } from './lib/server/http/body-limit.ts';
import { isCrossSiteFormPost } from './lib/server/http/origin-check.ts';
import { securityHeaders } from './lib/server/http/security-headers.ts';
import { parseTrustedProxies, resolveClient, type TrustedProxies } from './lib/server/http/trusted-proxy.ts';

let trusted: TrustedProxies | undefined;

export const onRequest = defineMiddleware(async (context, next) => {
  trusted ??= parseTrustedProxies(getEnv().KIKO_TRUST_PROXY);
  const client = resolveClient(context.clientAddress, context.request.headers, context.url.protocol, trusted);
  context.locals.clientIp = client.ip;
  context.locals.secure = client.secure;

  // Astro's own origin check compares with the URL the server sees (http behind a TLS proxy): this one uses
  // the protocol the browser used, so form posts work behind a trusted proxy (astro.config.mjs: checkOrigin off)
  const origin = `${client.secure ? 'https:' : context.url.protocol}//${context.url.host}`;
  if (isCrossSiteFormPost(context.request, origin)) {
    return new Response('Formulare dürfen nur von KIKO selbst abgeschickt werden (Herkunftsprüfung).', {
      status: 403,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }

  // Astro decodes an action name with decodeURIComponent and answers a malformed one ("%", "a%zz") with a 500
  const action = context.url.searchParams.get('_action');
  if (action !== null && !/^[A-Za-z0-9_.]{1,100}$/.test(action)) {
    return new Response('Diese Aktion gibt es nicht.', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }

  const cookieLocale = context.cookies.get('kiko_lang')?.value;
  // German first: English only when chosen with the language switch (a cookie), never guessed from the browser.
  const locale = isLocale(cookieLocale) ? cookieLocale : 'de';
  context.locals.locale = locale;
  context.locals.t = translator(locale);
  context.locals.user = null;
  context.locals.session = null;

  // the declared length; bodies without one are counted while they stream (serve-http.ts, at the server entry)
  const length = Number(context.request.headers.get('content-length') ?? 0);
  if (length > MAX_BODY_BYTES) {
    return new Response(BODY_TOO_LARGE_MESSAGE, { status: 413, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }

  const token = context.cookies.get(SESSION_COOKIE)?.value;
  if (token !== undefined) {
    const found = await getSessionUser(await getDb(), token, sessionPolicy());
    if (found) {
      context.locals.session = found.session;
      context.locals.user = found.user;
    } else clearSessionCookie(context.cookies);
  }

  const response = await next();
  // the same headers as `kiko serve` sets on every answer (security-headers.ts); here they also cover `astro dev`
  for (const [name, value] of Object.entries(securityHeaders(client.secure))) response.headers.set(name, value);
  // signed-in pages are personal: not stored, unless the route chose its own policy (the private search index)
  if (context.locals.user && !response.headers.has('Cache-Control')) response.headers.set('Cache-Control', 'private, no-store');
  return response;
});
