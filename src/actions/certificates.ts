/** Certificate actions for HR/admin: revoke with a reason, reissue. Plain forms (no JS), after a confirmation page. */

import type { ActionAPIContext } from 'astro:actions';
import { ActionError, defineAction } from 'astro:actions';
import { z } from 'zod';
import { getDb } from '../lib/server/app-context.ts';
import { can } from '../lib/server/authz/can.ts';
import { certificateConfig } from '../lib/server/certificates/certificate-config.ts';
import { reissueCertificate } from '../lib/server/certificates/reissue-certificate.ts';
import { revokeCertificate, revokeInputSchema } from '../lib/server/certificates/revoke-certificate.ts';
import type { AuthUser } from '../lib/server/users/get-auth-user.ts';
import { mapDomainErrors } from '../lib/web/action-errors.ts';

function requireManager(context: ActionAPIContext): AuthUser {
  const user = context.locals.user;
  if (!user) throw new ActionError({ code: 'UNAUTHORIZED', message: 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.' });
  if (!can(user, 'certificate.manage')) throw new ActionError({ code: 'FORBIDDEN', message: 'Dafür fehlt Ihnen die Berechtigung.' });
  return user;
}

export const certificateActions = {
  revokeCertificate: defineAction({
    accept: 'form',
    input: revokeInputSchema,
    handler: async (input, context) => {
      const user = requireManager(context);
      return mapDomainErrors(async () => revokeCertificate(await getDb(), user, input));
    },
  }),
  reissueCertificate: defineAction({
    accept: 'form',
    input: z.object({ certificateId: z.string().trim().min(1).max(40) }),
    handler: async (input, context) => {
      const user = requireManager(context);
      return mapDomainErrors(async () => reissueCertificate(await getDb(), user, input, certificateConfig()));
    },
  }),
};
