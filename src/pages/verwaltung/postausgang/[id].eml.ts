/** Download of one outbox message as .eml (RFC 5322, built by nodemailer) for district admins. */
import type { APIRoute } from 'astro';
import { z } from 'zod';
import { DomainError } from '../../../lib/server/errors/domain-errors.ts';
import { getOutboxEml } from '../../../lib/server/mail/outbox.ts';
import { requestContext } from '../../../lib/web/context.ts';

export const GET: APIRoute = async (context) => {
  if (!context.locals.user) return context.redirect(`/anmelden?weiter=${encodeURIComponent(context.url.pathname)}`);
  const id = z.uuid().safeParse(context.params.id);
  if (!id.success) return context.rewrite('/404');
  try {
    // the verb decides (authorize 'tenant.admin', the district's and scope's messages only)
    const file = await getOutboxEml(await requestContext(context.locals), id.data);
    return new Response(new Uint8Array(file.content), {
      headers: {
        'Content-Type': 'message/rfc822',
        'Content-Disposition': `attachment; filename="${file.filename}"`,
        'Content-Length': String(file.content.length),
        'Cache-Control': 'private, no-store',
      },
    });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.status === 404) return context.rewrite('/404');
    if (error.status === 403) return context.rewrite('/403');
    return new Response(error.message, { status: error.status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
};
