/** Admin: creates a cohort from org units (with or without their sub-units) and/or hand-picked people. */
import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { cohortRuleTable, cohortTable, orgUnitTable, userTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { NotFoundError, ValidationError } from '../errors/domain-errors.ts';

export const createCohortSchema = z
  .object({
    name: z
      .string({ error: 'Bitte geben Sie der Kohorte einen Namen.' })
      .trim()
      .min(3, 'Der Name der Kohorte braucht mindestens 3 Zeichen.')
      .max(120, 'Der Name der Kohorte darf höchstens 120 Zeichen haben.'),
    orgUnits: z
      .array(z.object({ orgUnitId: z.string().min(1).max(100), includeSubunits: z.boolean().default(false) }))
      .max(200)
      .default([]),
    /** Login e-mails of hand-picked people. */
    emails: z
      .array(z.string().trim().toLowerCase().pipe(z.email('Bitte nur gültige E-Mail-Adressen eingeben, eine pro Zeile.')))
      .max(500, 'Bitte höchstens 500 Personen einzeln auswählen.')
      .default([]),
  })
  .refine((v) => v.orgUnits.length + v.emails.length > 0, {
    message: 'Bitte mindestens eine Organisationseinheit oder eine Person wählen.',
    path: ['orgUnits'],
  });

export async function createCohort(ctx: Ctx, input: z.input<typeof createCohortSchema>): Promise<{ id: string }> {
  const scope = await authorize(ctx, 'tenant.admin');
  const tenantId = scope.tenantId as string;
  const parsed = createCohortSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ungültige Eingabe.');
  const { name } = parsed.data;
  const units = [...new Map(parsed.data.orgUnits.map((u) => [u.orgUnitId, u])).values()];
  const emails = [...new Set(parsed.data.emails)];
  if (units.length > 0) {
    const found = await ctx.db
      .select({ id: orgUnitTable.id })
      .from(orgUnitTable)
      .where(
        and(
          eq(orgUnitTable.tenantId, tenantId),
          inArray(
            orgUnitTable.id,
            units.map((u) => u.orgUnitId),
          ),
        ),
      );
    if (found.length !== units.length) throw new NotFoundError('Eine der Organisationseinheiten gibt es in Ihrem Landkreis nicht.');
    // a subtree-limited admin builds cohorts inside their subtree only
    for (const u of units) await authorize(ctx, 'tenant.admin', { orgUnitId: u.orgUnitId });
  }
  const people =
    emails.length > 0
      ? await ctx.db
          .select({ id: userTable.id, email: userTable.email })
          .from(userTable)
          .where(and(eq(userTable.tenantId, tenantId), inArray(userTable.email, emails)))
      : [];
  const missing = emails.filter((e) => !people.some((p) => p.email === e));
  if (missing.length > 0)
    throw new NotFoundError(`Diese E-Mail-Adressen gibt es in Ihrem Landkreis nicht: ${missing.slice(0, 5).join(', ')}.`);
  for (const p of people) await authorize(ctx, 'tenant.admin', { userId: p.id });
  const now = ctx.clock();
  const id = randomUUID();
  const by = actorId(ctx.actor);
  await ctx.db.transaction(async (tx) => {
    await tx.insert(cohortTable).values({ id, tenantId, name, createdAt: now, endedAt: null });
    const rules = [
      ...units.map((u) => ({ kind: 'org-unit' as const, orgUnitId: u.orgUnitId, includeSubunits: u.includeSubunits, userId: null })),
      ...people.map((p) => ({ kind: 'person' as const, orgUnitId: null, includeSubunits: false, userId: p.id })),
    ];
    await tx
      .insert(cohortRuleTable)
      .values(rules.map((r) => ({ ...r, id: randomUUID(), cohortId: id, tenantId, validFrom: now, validTo: null })));
    await appendAuditEvent(tx, {
      tenantId,
      actorId: by,
      type: 'cohort.created',
      data: { cohortId: id, orgUnits: units, people: people.length },
      personal: { name, userIds: people.map((p) => p.id) },
      at: now,
    });
  });
  return { id };
}
