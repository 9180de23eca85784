/** Download of the district's audit log as a verifiable JSON Lines file (the verb decides: exportDistrictAuditLog). */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { APIRoute } from 'astro';
import { DomainError } from '../../../lib/server/errors/domain-errors.ts';
import { berlinDay } from '../../../lib/server/hr/evidence-dates.ts';
import { exportDistrictAuditLog } from '../../../lib/server/hr/export-district-audit-log.ts';
import { requestContext } from '../../../lib/web/context.ts';

export const GET: APIRoute = async (context) => {
  if (!context.locals.user) return context.redirect(`/anmelden?weiter=${encodeURIComponent(context.url.pathname)}`);
  const ctx = await requestContext(context.locals);
  const dir = await mkdtemp(join(tmpdir(), 'kiko-audit-'));
  const file = join(dir, 'protokoll.jsonl');
  try {
    await exportDistrictAuditLog(ctx, file);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    if (!(error instanceof DomainError)) throw error;
    if (error.status === 404) return context.rewrite('/404');
    if (error.status === 403) return context.rewrite('/403');
    return new Response(error.message, { status: error.status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
  const stream = createReadStream(file);
  stream.on('close', () => void rm(dir, { recursive: true, force: true }));
  const slug = context.locals.user.tenant?.slug ?? 'landkreis';
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    headers: {
      'Content-Type': 'application/x-ndjson; charset=utf-8',
      'Content-Disposition': `attachment; filename="audit-protokoll-${slug}-${berlinDay(ctx.clock())}.jsonl"`,
      'Cache-Control': 'private, no-store',
    },
  });
};
