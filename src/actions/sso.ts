/** District admin action: the single sign-on settings of the district. */

import type { ActionAPIContext } from 'astro:actions';
import { ActionError, defineAction } from 'astro:actions';
import { z } from 'zod';
import type { Ctx } from '../lib/server/context.ts';
import { parseJobRoleMap, ssoSettingsSchema } from '../lib/server/sso/sso-settings.ts';
import { updateSsoSettings } from '../lib/server/sso/update-sso-settings.ts';
import { jobRoleSchema } from '../lib/shared/content-schema.ts';
import { mapDomainErrors } from '../lib/web/action-errors.ts';
import { requestContext } from '../lib/web/context.ts';

/** The verb decides authorization (authorize in the verb); here only the session must exist. */
async function contextOf(context: ActionAPIContext): Promise<Ctx> {
  if (!context.locals.user)
    throw new ActionError({ code: 'UNAUTHORIZED', message: 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.' });
  return requestContext(context.locals);
}

/** An optional text field: empty → undefined. */
const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .nullish()
    .transform((v) => (v?.trim() ? v.trim() : undefined));
const claim = optionalText(100).pipe(ssoSettingsSchema.shape.claims.unwrap().shape.orgUnit);
const checkbox = z
  .string()
  .nullish()
  .transform((v) => v === 'on');

export const ssoActions = {
  saveSsoSettings: defineAction({
    accept: 'form',
    input: z.object({
      enabled: checkbox,
      issuer: z.string({ error: 'Bitte die Adresse (Issuer) des Anmeldedienstes angeben.' }).trim().pipe(ssoSettingsSchema.shape.issuer),
      clientId: z.string({ error: 'Bitte die Client-ID angeben.' }).pipe(ssoSettingsSchema.shape.clientId),
      claimEmail: claim,
      claimName: claim,
      claimOrgUnit: claim,
      claimJobRole: claim,
      claimPersonnelNumber: claim,
      bindBy: z.enum(['personnel-number', 'verified-email'], { error: 'Bitte wählen Sie, wie vorhandene Personen gefunden werden.' }),
      jobRoleMap: z
        .string()
        .max(10_000)
        .nullish()
        .transform((text, c) => {
          const parsed = parseJobRoleMap(text ?? '');
          if (parsed.ok) return parsed.map;
          c.addIssue({ code: 'custom', message: parsed.problem });
          return z.NEVER;
        }),
      defaultJobRole: jobRoleSchema.exclude(['alle'], { error: 'Bitte ein Tätigkeitsprofil wählen.' }),
      defaultOrgUnitCode: optionalText(100),
      passwordLogin: checkbox,
    }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      if (input.bindBy === 'personnel-number' && !input.claimPersonnelNumber)
        throw new ActionError({
          code: 'BAD_REQUEST',
          message: 'Zum Zuordnen über die Personalnummer bitte angeben, in welchem Claim sie steht.',
        });
      await mapDomainErrors(async () =>
        updateSsoSettings(ctx, {
          enabled: input.enabled,
          issuer: input.issuer,
          clientId: input.clientId,
          claims: {
            email: input.claimEmail ?? 'email',
            name: input.claimName ?? 'name',
            orgUnit: input.claimOrgUnit,
            jobRole: input.claimJobRole,
            personnelNumber: input.claimPersonnelNumber,
          },
          bindBy: input.bindBy,
          jobRoleMap: input.jobRoleMap,
          defaultJobRole: input.defaultJobRole,
          defaultOrgUnitCode: input.defaultOrgUnitCode,
          passwordLogin: input.passwordLogin,
        }),
      );
      return { ok: true };
    },
  }),
};
