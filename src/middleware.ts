/** Session cookie → locals.user / locals.session; locale; request size guard; security headers. */
import { defineMiddleware } from 'astro:middleware';
import { isLocale, translator } from './i18n/index.ts';
import { getDb } from './lib/server/app-context.ts';
import { getSessionUser } from './lib/server/auth/get-session-user.ts';
import { clearSessionCookie, SESSION_COOKIE, sessionPolicy } from './lib/server/auth/session-cookie.ts';

/** Largest request body KIKO accepts (certificate uploads are the biggest legitimate posts). */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

export const onRequest = defineMiddleware(async (context, next) => {
  const cookieLocale = context.cookies.get('kiko_lang')?.value;
  // German first: English only when chosen with the language switch (a cookie), never guessed from the browser.
  const locale = isLocale(cookieLocale) ? cookieLocale : 'de';
  context.locals.locale = locale;
  context.locals.t = translator(locale);
  context.locals.user = null;
  context.locals.session = null;

  const length = Number(context.request.headers.get('content-length') ?? 0);
  if (length > MAX_BODY_BYTES) {
    return new Response('Die Anfrage ist zu groß (höchstens 2 MB).', {
      status: 413,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
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
  response.headers.set('X-Content-Type-Options', 'nosniff');
  response.headers.set('Referrer-Policy', 'same-origin');
  response.headers.set('X-Frame-Options', 'DENY');
  if (context.locals.user) response.headers.set('Cache-Control', 'private, no-store');
  return response;
});
