/**
 * Admin: the district's privacy settings of the multiplier programme — whether multipliers see person-level views of
 * their cohorts (often only after a staff-council agreement) and the smallest group item analysis shows (≥ 3).
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { tenantTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { ForbiddenError, ValidationError } from '../errors/domain-errors.ts';
import { readTenantSettings } from './tenant-settings.ts';

export const multiplierSettingsSchema = z.object({
  personViews: z.boolean(),
  minGroupSize: z.coerce
    .number({ error: 'Bitte eine Zahl ab 3 angeben.' })
    .int('Bitte eine ganze Zahl angeben.')
    .min(3, 'Die Mindestgröße darf nicht unter 3 liegen.')
    .max(100, 'Bitte höchstens 100 angeben.'),
});
export type MultiplierSettings = z.infer<typeof multiplierSettingsSchema>;

export async function getMultiplierSettings(ctx: Ctx): Promise<MultiplierSettings> {
  const scope = await authorize(ctx, 'tenant.admin');
  const [row] = await ctx.db
    .select({ settings: tenantTable.settings })
    .from(tenantTable)
    .where(eq(tenantTable.id, scope.tenantId as string));
  const s = readTenantSettings(row?.settings);
  return { personViews: s.multiplierPersonViews, minGroupSize: s.minGroupSize };
}

export async function updateMultiplierSettings(ctx: Ctx, input: z.input<typeof multiplierSettingsSchema>): Promise<void> {
  const scope = await authorize(ctx, 'tenant.admin');
  if (scope.orgUnitIds) throw new ForbiddenError('Diese Einstellung kann nur die Administration des ganzen Landkreises ändern.');
  const parsed = multiplierSettingsSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ungültige Eingabe.');
  const tenantId = scope.tenantId as string;
  const now = ctx.clock();
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.select({ settings: tenantTable.settings }).from(tenantTable).where(eq(tenantTable.id, tenantId));
    const current = readTenantSettings(row?.settings);
    const next = { ...current, multiplierPersonViews: parsed.data.personViews, minGroupSize: parsed.data.minGroupSize };
    await tx.update(tenantTable).set({ settings: next }).where(eq(tenantTable.id, tenantId));
    await appendAuditEvent(tx, {
      tenantId,
      actorId: actorId(ctx.actor),
      type: 'tenant.multiplier-settings-changed',
      data: { multiplierPersonViews: next.multiplierPersonViews, minGroupSize: next.minGroupSize },
      at: now,
    });
  });
}
