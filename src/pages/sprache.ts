/** Language switch: stores the chosen UI language in a cookie and returns to the page. */
import type { APIRoute } from 'astro';
import { isLocale } from '../i18n/index.ts';
import { safeNext } from '../lib/web/guard.ts';

export const POST: APIRoute = async ({ request, cookies, redirect }) => {
  const form = await request.formData().catch(() => null);
  const lang = form?.get('lang');
  if (!isLocale(lang))
    return new Response('Unbekannte Sprache.', { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  cookies.set('kiko_lang', lang, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 365 * 24 * 3600 });
  return redirect(safeNext(String(form?.get('zurueck') ?? '')) ?? '/', 303);
};
