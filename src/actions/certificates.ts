/**
 * Certificate actions for HR/admin: revoke with a reason, reissue. Plain forms (no JS), after a confirmation page.
 * The request context names the signed-in person; the verb decides (authorize: role, district, org subtree).
 */

import type { ActionAPIContext } from 'astro:actions';
import { ActionError, defineAction } from 'astro:actions';
import { z } from 'zod';
import { certificateConfig } from '../lib/server/certificates/certificate-config.ts';
import { reissueCertificate } from '../lib/server/certificates/reissue-certificate.ts';
import { revokeCertificate, revokeInputSchema } from '../lib/server/certificates/revoke-certificate.ts';
import type { Ctx } from '../lib/server/context.ts';
import { mapDomainErrors } from '../lib/web/action-errors.ts';
import { requestContext } from '../lib/web/context.ts';

async function contextOf(context: ActionAPIContext): Promise<Ctx> {
  if (!context.locals.user)
    throw new ActionError({ code: 'UNAUTHORIZED', message: 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.' });
  return requestContext(context.locals);
}

export const certificateActions = {
  revokeCertificate: defineAction({
    accept: 'form',
    input: revokeInputSchema,
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      return mapDomainErrors(async () => revokeCertificate(ctx, input));
    },
  }),
  reissueCertificate: defineAction({
    accept: 'form',
    input: z.object({ certificateId: z.string().trim().min(1).max(40) }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      return mapDomainErrors(async () => reissueCertificate(ctx, input, certificateConfig()));
    },
  }),
};
