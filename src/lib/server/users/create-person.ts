/** An admin creates a person in their district (the admin page's form); the account itself is made by createUser. */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { orgUnitTable, tenantTable, userTable } from '../../../../db/schema/index.ts';
import { jobRoleSchema } from '../../shared/content-schema.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { createUser } from './create-user.ts';

export const createPersonSchema = z.object({
  name: z.string({ error: 'Bitte den Namen angeben.' }).trim().min(2, 'Der Name ist zu kurz.').max(120),
  email: z.email({ error: 'Bitte eine gültige E-Mail-Adresse angeben.' }).max(254),
  jobRole: jobRoleSchema.exclude(['alle'], { error: 'Bitte ein Tätigkeitsprofil wählen.' }),
  orgUnitId: z.string().min(1).max(100).nullish(),
  externalId: z.string().trim().max(64).nullish(),
});

export async function createPerson(ctx: Ctx, input: z.input<typeof createPersonSchema>): Promise<{ id: string }> {
  const parsed = createPersonSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ungültige Eingabe.');
  const p = parsed.data;
  const scope = await authorize(ctx, 'tenant.admin', p.orgUnitId ? { orgUnitId: p.orgUnitId } : {});
  if (!p.orgUnitId && scope.orgUnitIds) throw new ForbiddenError('Bitte eine Organisationseinheit in Ihrem Bereich wählen.');
  const [tenant] = await ctx.db
    .select({ slug: tenantTable.slug })
    .from(tenantTable)
    .where(eq(tenantTable.id, scope.tenantId as string));
  if (!tenant) throw new NotFoundError('Diesen Landkreis gibt es nicht.');
  if (p.orgUnitId) {
    const [unit] = await ctx.db.select({ closedAt: orgUnitTable.closedAt }).from(orgUnitTable).where(eq(orgUnitTable.id, p.orgUnitId));
    if (!unit || unit.closedAt) throw new NotFoundError('Diese Organisationseinheit gibt es nicht (mehr).');
  }
  if (p.externalId) {
    const [taken] = await ctx.db
      .select({ id: userTable.id })
      .from(userTable)
      .where(and(eq(userTable.tenantId, scope.tenantId as string), eq(userTable.externalId, p.externalId)));
    if (taken) throw new ConflictError(`Die Personalnummer ${p.externalId} ist schon einer anderen Person zugeordnet.`);
  }
  return createUser(
    ctx.db,
    {
      tenant: tenant.slug,
      email: p.email,
      name: p.name,
      roles: ['learner'],
      jobRole: p.jobRole,
      orgUnitId: p.orgUnitId ?? undefined,
      externalId: p.externalId || undefined,
    },
    { actorId: actorId(ctx.actor), now: ctx.clock() },
  );
}
