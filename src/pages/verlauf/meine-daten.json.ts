/** The signed-in person's own data as JSON (GDPR Art. 15/20), as a download. */
import type { APIRoute } from 'astro';
import { DomainError } from '../../lib/server/errors/domain-errors.ts';
import { exportOwnData } from '../../lib/server/privacy/export-own-data.ts';
import { requestContext } from '../../lib/web/context.ts';

export const GET: APIRoute = async (context) => {
  if (!context.locals.user) return context.redirect(`/anmelden?weiter=${encodeURIComponent(context.url.pathname)}`);
  try {
    // the verb decides (learning.own: the signed-in person's own data only)
    const data = await exportOwnData(await requestContext(context.locals));
    const day = data.createdAt.slice(0, 10);
    return new Response(JSON.stringify(data, null, 2), {
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': `attachment; filename="kiko-meine-daten-${day}.json"`,
        'Cache-Control': 'private, no-store',
      },
    });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.status === 403) return context.rewrite('/403');
    return context.rewrite('/404');
  }
};
