/** Multiplier: CSV export of a cohort's person × course matrix (same filters and order as the page). */
import type { APIRoute } from 'astro';
import { z } from 'zod';
import { exportCohortMatrix } from '../../../../lib/server/cohorts/export-cohort-matrix.ts';
import { DomainError } from '../../../../lib/server/errors/domain-errors.ts';
import { requestContext } from '../../../../lib/web/context.ts';

const text = z.string().max(120).nullable().catch(null);

export const GET: APIRoute = async (context) => {
  if (!context.locals.user) return context.redirect(`/anmelden?weiter=${encodeURIComponent(context.url.pathname)}`);
  const id = z
    .string()
    .regex(/^[0-9A-Za-z-]{1,64}$/)
    .safeParse(context.params.id);
  if (!id.success) return context.rewrite('/404');
  const sp = context.url.searchParams;
  const query = Object.fromEntries(
    (['einheit', 'rolle', 'status', 'sortierung', 'richtung'] as const).map((k) => [k, text.parse(sp.get(k) || null)]),
  );
  try {
    // the verb decides (authorize cohort.view: the multiplier's own cohorts; person-level views switched on)
    const { filename, csv } = await exportCohortMatrix(await requestContext(context.locals), id.data, query);
    return new Response(csv, {
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${filename}"`,
        'Cache-Control': 'private, no-store',
      },
    });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.status === 404) return context.rewrite('/404');
    return new Response(error.message, { status: error.status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
};
