/**
 * Download of an evidence export: /personal/export?format=csv-excel|csv|xlsx|json&stand=…&erfasst=…&einheit=…&rolle=…&status=…
 * The verb decides (prepareEvidenceExport: `hr.view`, an org unit outside the scope is 404); the file streams to the
 * browser as it is written and the download is recorded in the audit log before the first byte leaves.
 */
import { PassThrough, Readable } from 'node:stream';
import type { APIRoute } from 'astro';
import { z } from 'zod';
import { actorId } from '../../lib/server/context.ts';
import { DomainError } from '../../lib/server/errors/domain-errors.ts';
import { evidenceFormats, prepareEvidenceExport, recordEvidenceExport } from '../../lib/server/hr/prepare-evidence-export.ts';
import { exportFileName, formatFile, writeEvidenceExport } from '../../lib/server/hr/write-evidence-export.ts';
import { requestContext } from '../../lib/web/context.ts';
import { readEvidenceParams } from '../../lib/web/evidence-params.ts';

const text = (status: number, message: string): Response =>
  new Response(message, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });

export const GET: APIRoute = async (context) => {
  if (!context.locals.user) return context.redirect(`/anmelden?weiter=${encodeURIComponent(context.url.pathname + context.url.search)}`);
  const ctx = await requestContext(context.locals);
  const p = readEvidenceParams(context.url, ctx.clock());
  if (p.dateError) return text(400, p.dateError);
  const format = z.enum(evidenceFormats).catch('csv-excel').parse(context.url.searchParams.get('format'));
  try {
    const exp = await prepareEvidenceExport(ctx, {
      asOf: p.dates.asOf,
      recordedBy: p.dates.recordedBy,
      orgUnitId: p.orgUnitId,
      jobRole: p.jobRole,
      status: p.status,
      report: format === 'pdf',
    });
    try {
      await recordEvidenceExport(ctx, exp, format);
    } catch (e) {
      exp.close();
      throw e;
    }
    const body = new PassThrough();
    writeEvidenceExport(exp, format, body, { exportedAt: ctx.clock(), exportedBy: actorId(ctx.actor) })
      .catch((e: Error) => body.destroy(e))
      .finally(() => exp.close());
    return new Response(Readable.toWeb(body) as ReadableStream, {
      headers: {
        'Content-Type': formatFile[format].type,
        'Content-Disposition': `attachment; filename="${exportFileName(exp, format)}"`,
        'Cache-Control': 'private, no-store',
        'X-KIKO-Fingerprint': exp.fingerprint,
      },
    });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.status === 404) return context.rewrite('/404');
    if (error.status === 403) return context.rewrite('/403');
    return text(error.status, error.message);
  }
};
