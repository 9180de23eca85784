/** District admin actions: learning path assignments. */

import type { ActionAPIContext } from 'astro:actions';
import { ActionError, defineAction } from 'astro:actions';
import { z } from 'zod';
import { getDb } from '../lib/server/app-context.ts';
import { can } from '../lib/server/authz/can.ts';
import { assignPath, removePathAssignment } from '../lib/server/learning/assign-path.ts';
import { getContent } from '../lib/server/learning/content-registry.ts';
import { mapDomainErrors } from '../lib/web/action-errors.ts';

function requireAdmin(context: ActionAPIContext): { tenantId: string; userId: string } {
  const user = context.locals.user;
  if (!user?.tenant || !can(user, 'tenant.admin', { tenantId: user.tenant.id }))
    throw new ActionError({ code: 'FORBIDDEN', message: 'Dafür fehlt Ihnen die Berechtigung.' });
  return { tenantId: user.tenant.id, userId: user.id };
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
      const admin = requireAdmin(context);
      return mapDomainErrors(async () =>
        assignPath(await getDb(), admin.tenantId, admin.userId, getContent(), {
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
      const admin = requireAdmin(context);
      await mapDomainErrors(async () => removePathAssignment(await getDb(), admin.tenantId, admin.userId, assignmentId));
      return { ok: true };
    },
  }),
};
