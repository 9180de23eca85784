/**
 * Download of a finished export job's file. The verb decides (getEvidenceExportFile: `hr.view` and the job's scope;
 * anything else is 404); the file streams from KIKO_EXPORT_DIR.
 */
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { APIRoute } from 'astro';
import { getEnv } from '../../../../lib/server/config/env.ts';
import { DomainError } from '../../../../lib/server/errors/domain-errors.ts';
import { getEvidenceExportFile } from '../../../../lib/server/hr/export-jobs.ts';
import { formatFile } from '../../../../lib/server/hr/write-evidence-export.ts';
import { requestContext } from '../../../../lib/web/context.ts';

export const GET: APIRoute = async (context) => {
  if (!context.locals.user) return context.redirect(`/anmelden?weiter=${encodeURIComponent(context.url.pathname)}`);
  const ctx = await requestContext(context.locals);
  try {
    const file = await getEvidenceExportFile(ctx, context.params.id ?? '', resolve(getEnv().KIKO_EXPORT_DIR));
    const body = Readable.toWeb(createReadStream(file.path)) as ReadableStream;
    return new Response(body, {
      headers: {
        'Content-Type': formatFile[file.format].type,
        'Content-Length': String(file.size),
        'Content-Disposition': `attachment; filename="${file.downloadName.replace(/[^\w.-]+/g, '_')}"`,
        'Cache-Control': 'private, no-store',
        'X-KIKO-Fingerprint': file.fingerprint,
      },
    });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.status === 403) return context.rewrite('/403');
    return context.rewrite('/404');
  }
};
