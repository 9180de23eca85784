/** Downloads of the learner's own certificate: /zertifikate/<ID>.pdf | .png | .json */
import type { APIRoute } from 'astro';
import { z } from 'zod';
import { certificateConfig } from '../../lib/server/certificates/certificate-config.ts';
import { CERTIFICATE_FORMATS, getOwnCertificateFile } from '../../lib/server/certificates/get-certificate-file.ts';
import { DomainError } from '../../lib/server/errors/domain-errors.ts';
import { requestContext } from '../../lib/web/context.ts';

const fileSchema = z
  .string()
  .regex(/^[0-9A-Za-z-]{1,40}\.(pdf|png|json)$/)
  .transform((file) => {
    const dot = file.lastIndexOf('.');
    return { id: file.slice(0, dot), format: z.enum(CERTIFICATE_FORMATS).parse(file.slice(dot + 1)) };
  });

export const GET: APIRoute = async (context) => {
  if (!context.locals.user) return context.redirect(`/anmelden?weiter=${encodeURIComponent(context.url.pathname)}`);
  const parsed = fileSchema.safeParse(context.params.file);
  if (!parsed.success) return context.rewrite('/404');
  try {
    // the verb decides (authorizeLearner: the signed-in person's own certificates only)
    const file = await getOwnCertificateFile(await requestContext(context.locals), parsed.data, certificateConfig());
    return new Response(new Uint8Array(file.body), {
      headers: {
        'Content-Type': file.contentType,
        'Content-Disposition': `attachment; filename="${file.filename}"`,
        'Content-Length': String(file.body.length),
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
