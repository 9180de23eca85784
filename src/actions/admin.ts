/** District admin actions: learning path assignments. */

import type { ActionAPIContext } from 'astro:actions';
import { ActionError, defineAction } from 'astro:actions';
import { z } from 'zod';
import type { Ctx } from '../lib/server/context.ts';
import { assignPath, removePathAssignment } from '../lib/server/learning/assign-path.ts';
import { mapDomainErrors } from '../lib/web/action-errors.ts';
import { requestContext } from '../lib/web/context.ts';

/** The verb decides authorization (authorize in the verb); here only the session must exist. */
async function contextOf(context: ActionAPIContext): Promise<Ctx> {
  if (!context.locals.user)
    throw new ActionError({ code: 'UNAUTHORIZED', message: 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.' });
  return requestContext(context.locals);
}

export const adminActions = {
  assignPath: defineAction({
    accept: 'form',
    input: z.object({
      pathId: z.string({ error: 'Bitte einen Lernpfad wählen.' }).min(1, 'Bitte einen Lernpfad wählen.').max(100),
      target: z.enum(['person', 'org-unit'], { error: 'Bitte wählen Sie, für wen der Lernpfad gilt.' }),
      email: z
        .string()
        .max(254)
        .nullish()
        .transform((v) => v ?? undefined),
      orgUnitId: z
        .string()
        .max(100)
        .nullish()
        .transform((v) => v ?? undefined),
      dueOn: z
        .string()
        .max(10)
        .nullish()
        .transform((v) => v ?? undefined),
    }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      return mapDomainErrors(async () =>
        assignPath(ctx, {
          pathId: input.pathId,
          email: input.target === 'person' ? (input.email ?? '') : undefined,
          orgUnitId: input.target === 'org-unit' ? input.orgUnitId || undefined : undefined,
          dueOn: input.dueOn ?? '',
        }),
      );
    },
  }),
  removeAssignment: defineAction({
    accept: 'form',
    input: z.object({ assignmentId: z.string().min(1).max(100) }),
    handler: async ({ assignmentId }, context) => {
      const ctx = await contextOf(context);
      await mapDomainErrors(async () => removePathAssignment(ctx, assignmentId));
      return { ok: true };
    },
  }),
};
