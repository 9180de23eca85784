/** Admin: who leads a cohort — assign and unassign KI-Multiplikator:innen, find them by e-mail. */
import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { cohortMultiplierTable, userRoleTable, userTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { requireCohortIn } from './cohort-members.ts';

export const assignMultiplierSchema = z.object({
  cohortId: z.string().min(1).max(100),
  email: z
    .string({ error: 'Bitte die E-Mail-Adresse der Multiplikatorin oder des Multiplikators eingeben.' })
    .trim()
    .toLowerCase()
    .pipe(z.email('Bitte eine gültige E-Mail-Adresse eingeben.')),
});

/** Makes the person with this e-mail (role KI-Multiplikator:in, same district) a multiplier of the cohort. */
export async function assignMultiplier(ctx: Ctx, input: z.input<typeof assignMultiplierSchema>): Promise<{ userId: string }> {
  const scope = await authorize(ctx, 'tenant.admin', { cohortId: input.cohortId });
  const tenantId = scope.tenantId as string;
  const parsed = assignMultiplierSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ungültige Eingabe.');
  const cohort = await requireCohortIn(ctx, scope, parsed.data.cohortId);
  if (cohort.endedAt) throw new ConflictError('Diese Kohorte ist beendet; ihr können keine Multiplikator:innen mehr zugeordnet werden.');
  const [person] = await ctx.db
    .select({ id: userTable.id })
    .from(userTable)
    .where(and(eq(userTable.tenantId, tenantId), eq(userTable.email, parsed.data.email)));
  if (!person) throw new NotFoundError('Eine Person mit dieser E-Mail-Adresse gibt es in Ihrem Landkreis nicht.');
  const [role] = await ctx.db
    .select({ role: userRoleTable.role })
    .from(userRoleTable)
    .where(and(eq(userRoleTable.userId, person.id), eq(userRoleTable.role, 'multiplier')));
  if (!role) throw new ValidationError('Diese Person hat nicht die Rolle KI-Multiplikator:in. Bitte zuerst die Rolle vergeben.');
  const now = ctx.clock();
  await ctx.db.transaction(async (tx) => {
    const added = await tx
      .insert(cohortMultiplierTable)
      .values({ cohortId: cohort.id, tenantId, userId: person.id })
      .onConflictDoNothing()
      .returning({ userId: cohortMultiplierTable.userId });
    if (added.length === 0) return;
    await appendAuditEvent(tx, {
      tenantId,
      actorId: actorId(ctx.actor),
      type: 'cohort.multiplier-assigned',
      subjectId: person.id,
      data: { cohortId: cohort.id },
      at: now,
    });
  });
  return { userId: person.id };
}

/** Ends a multiplier's assignment to a cohort (they no longer see it). */
export async function unassignMultiplier(ctx: Ctx, input: { cohortId: string; userId: string }): Promise<void> {
  const scope = await authorize(ctx, 'tenant.admin', { cohortId: input.cohortId });
  const tenantId = scope.tenantId as string;
  const cohort = await requireCohortIn(ctx, scope, input.cohortId);
  const now = ctx.clock();
  await ctx.db.transaction(async (tx) => {
    const removed = await tx
      .delete(cohortMultiplierTable)
      .where(
        and(
          eq(cohortMultiplierTable.tenantId, tenantId),
          eq(cohortMultiplierTable.cohortId, cohort.id),
          eq(cohortMultiplierTable.userId, input.userId),
        ),
      )
      .returning({ userId: cohortMultiplierTable.userId });
    if (removed.length === 0) throw new NotFoundError('Diese Person leitet die Kohorte nicht.');
    await appendAuditEvent(tx, {
      tenantId,
      actorId: actorId(ctx.actor),
      type: 'cohort.multiplier-unassigned',
      subjectId: input.userId,
      data: { cohortId: cohort.id },
      at: now,
    });
  });
}

export interface MultiplierCandidate {
  userId: string;
  name: string;
  email: string;
}

/** People of the district with the multiplier role whose e-mail contains `query` (at most 20). */
export async function searchMultipliers(ctx: Ctx, query: string): Promise<MultiplierCandidate[]> {
  const scope = await authorize(ctx, 'tenant.admin');
  const q = query.trim().toLowerCase().slice(0, 100);
  if (q.length < 2) return [];
  const escaped = q.replace(/[\\%_]/g, (c) => `\\${c}`);
  return ctx.db
    .select({ userId: userTable.id, name: userTable.name, email: userTable.email })
    .from(userTable)
    .innerJoin(userRoleTable, and(eq(userRoleTable.userId, userTable.id), eq(userRoleTable.role, 'multiplier')))
    .where(and(eq(userTable.tenantId, scope.tenantId as string), sql`${userTable.email} LIKE ${`%${escaped}%`} ESCAPE '\\'`))
    .orderBy(asc(userTable.email))
    .limit(20);
}
