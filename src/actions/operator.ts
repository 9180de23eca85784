/**
 * Platform operator actions (role operator, `platform.operate`): create a district with its first admin, suspend
 * and reactivate one. Plain forms; suspension comes after a confirmation step in which the slug is typed.
 */
import type { ActionAPIContext } from 'astro:actions';
import { ActionError, defineAction } from 'astro:actions';
import { z } from 'zod';
import type { Ctx } from '../lib/server/context.ts';
import { createDistrict, createDistrictSchema, DistrictConflictError } from '../lib/server/tenancy/create-district.ts';
import { setDistrictStatus } from '../lib/server/tenancy/set-district-status.ts';
import { mapDomainErrors } from '../lib/web/action-errors.ts';
import { requestContext } from '../lib/web/context.ts';

async function contextOf(context: ActionAPIContext): Promise<Ctx> {
  if (!context.locals.user)
    throw new ActionError({ code: 'UNAUTHORIZED', message: 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.' });
  return requestContext(context.locals);
}

export const operatorActions = {
  createDistrict: defineAction({
    accept: 'form',
    input: createDistrictSchema,
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      return mapDomainErrors(async () => {
        try {
          return { ...(await createDistrict(ctx, input)), conflict: null };
        } catch (e) {
          // a taken slug or e-mail address belongs to its field of the form
          if (e instanceof DistrictConflictError) return { id: null, slug: null, conflict: { field: e.field, message: e.message } };
          throw e;
        }
      });
    },
  }),
  setDistrictStatus: defineAction({
    accept: 'form',
    input: z.object({
      tenantId: z.string().min(1).max(100),
      status: z.enum(['active', 'suspended']),
      confirmation: z.string().max(100).nullish(),
    }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      const r = await mapDomainErrors(async () =>
        setDistrictStatus(ctx, { tenantId: input.tenantId, status: input.status, confirmation: input.confirmation ?? undefined }),
      );
      return { tenantId: input.tenantId, status: input.status, sessionsEnded: r.sessionsEnded };
    },
  }),
};
