/** HR actions: start an evidence export as a background job (decision 018). */

import type { ActionAPIContext } from 'astro:actions';
import { ActionError, defineAction } from 'astro:actions';
import { z } from 'zod';
import type { Ctx } from '../lib/server/context.ts';
import { coverageClasses } from '../lib/server/hr/coverage.ts';
import { berlinDay, resolveEvidenceDates, resolvePeriod } from '../lib/server/hr/evidence-dates.ts';
import { queueEvidenceExport } from '../lib/server/hr/export-jobs.ts';
import { evidenceFormats } from '../lib/server/hr/prepare-evidence-export.ts';
import { jobRoles } from '../lib/shared/content-schema.ts';
import { mapDomainErrors } from '../lib/web/action-errors.ts';
import { requestContext } from '../lib/web/context.ts';

/** The verb decides authorization (authorize in the verb); here only the session must exist. */
async function contextOf(context: ActionAPIContext): Promise<Ctx> {
  if (!context.locals.user)
    throw new ActionError({ code: 'UNAUTHORIZED', message: 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.' });
  return requestContext(context.locals);
}

const optional = (max: number) =>
  z
    .string()
    .max(max, 'Die Angabe ist zu lang.')
    .nullish()
    .transform((v) => v?.trim() || null);

export const exportActions = {
  startEvidenceExport: defineAction({
    accept: 'form',
    input: z.object({
      format: z.enum(evidenceFormats, { error: 'Bitte ein Format wählen.' }),
      stand: optional(20),
      erfasst: optional(20),
      einheit: optional(64),
      rolle: optional(40).refine((v) => !v || (jobRoles as readonly string[]).includes(v), 'Dieses Tätigkeitsprofil gibt es nicht.'),
      status: optional(20).refine((v) => !v || (coverageClasses as readonly string[]).includes(v), 'Diesen Nachweis-Status gibt es nicht.'),
      von: optional(20),
      bis: optional(20),
    }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      return mapDomainErrors(async () => {
        const now = ctx.clock();
        const dates = resolveEvidenceDates({ asOf: input.stand, recordedBy: input.erfasst }, now);
        let period = resolvePeriod({ from: input.von, to: input.bis }, now);
        // "bis today" with "Stand am today": the period ends with the as-of minute the page showed
        if (period && period.to > dates.asOf && berlinDay(period.to) === berlinDay(dates.asOf)) period = { ...period, to: dates.asOf };
        return queueEvidenceExport(ctx, {
          ...dates,
          format: input.format,
          orgUnitId: input.einheit,
          jobRole: input.rolle,
          status: input.status as (typeof coverageClasses)[number] | null,
          period,
        });
      });
    },
  }),
};
