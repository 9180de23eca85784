/** District admin actions: cohorts of the multiplier programme (create, assign and unassign multipliers, end). */

import type { ActionAPIContext } from 'astro:actions';
import { ActionError, defineAction } from 'astro:actions';
import { z } from 'zod';
import { assignMultiplier, unassignMultiplier } from '../lib/server/cohorts/cohort-multipliers.ts';
import { createCohort } from '../lib/server/cohorts/create-cohort.ts';
import { endCohort } from '../lib/server/cohorts/end-cohort.ts';
import type { Ctx } from '../lib/server/context.ts';
import { updateMultiplierSettings } from '../lib/server/tenancy/multiplier-settings.ts';
import { mapDomainErrors } from '../lib/web/action-errors.ts';
import { requestContext } from '../lib/web/context.ts';

/** The verb decides authorization (authorize in the verb); here only the session must exist. */
async function contextOf(context: ActionAPIContext): Promise<Ctx> {
  if (!context.locals.user)
    throw new ActionError({ code: 'UNAUTHORIZED', message: 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.' });
  return requestContext(context.locals);
}

const idSchema = z.string().min(1).max(100);

export const cohortActions = {
  createCohort: defineAction({
    accept: 'form',
    input: z.object({
      name: z.string({ error: 'Bitte geben Sie der Kohorte einen Namen.' }).max(120, 'Der Name darf höchstens 120 Zeichen haben.'),
      /** Checked org units. */
      einheit: z.array(idSchema).max(200).default([]),
      /** Org units whose sub-units belong to the cohort too. */
      mitUntereinheiten: z.array(idSchema).max(200).default([]),
      /** Hand-picked people: e-mail addresses, one per line (or separated by commas/semicolons). */
      personen: z
        .string()
        .max(50_000)
        .nullish()
        .transform((v) => v ?? ''),
    }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      const sub = new Set(input.mitUntereinheiten);
      const emails = input.personen
        .split(/[\s,;]+/)
        .map((e) => e.trim())
        .filter(Boolean);
      return mapDomainErrors(async () =>
        createCohort(ctx, {
          name: input.name,
          orgUnits: input.einheit.map((orgUnitId) => ({ orgUnitId, includeSubunits: sub.has(orgUnitId) })),
          emails,
        }),
      );
    },
  }),
  assignMultiplier: defineAction({
    accept: 'form',
    input: z.object({
      cohortId: idSchema,
      email: z.string({ error: 'Bitte die E-Mail-Adresse eingeben.' }).max(254),
    }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      return mapDomainErrors(async () => assignMultiplier(ctx, input));
    },
  }),
  unassignMultiplier: defineAction({
    accept: 'form',
    input: z.object({ cohortId: idSchema, userId: idSchema }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      await mapDomainErrors(async () => unassignMultiplier(ctx, input));
      return { ok: true };
    },
  }),
  endCohort: defineAction({
    accept: 'form',
    input: z.object({ cohortId: idSchema }),
    handler: async ({ cohortId }, context) => {
      const ctx = await contextOf(context);
      await mapDomainErrors(async () => endCohort(ctx, cohortId));
      return { ok: true };
    },
  }),
  updateMultiplierSettings: defineAction({
    accept: 'form',
    input: z.object({
      personenansichten: z.boolean().default(false),
      mindestgruppe: z.string({ error: 'Bitte eine Zahl ab 3 angeben.' }).max(5),
    }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      await mapDomainErrors(async () =>
        updateMultiplierSettings(ctx, { personViews: input.personenansichten, minGroupSize: input.mindestgruppe }),
      );
      return { ok: true };
    },
  }),
};
