/** Creates a tenant (district) with its org units; returns the existing one when the slug is taken. */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../../db/client.ts';
import { orgUnitTable, tenantTable } from '../../../../db/schema/index.ts';
import { ValidationError } from '../errors/domain-errors.ts';
import { appendFact } from '../evidence/record.ts';
import { type TenantSettings, tenantSettingsSchema } from './tenant-settings.ts';

export const tenantInputSchema = z.object({
  slug: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Kürzel: Kleinbuchstaben, Ziffern, Bindestriche'),
  name: z.string().min(3).max(120),
  settings: tenantSettingsSchema.partial().optional(),
});

export interface OrgUnitInput {
  code: string;
  name: string;
  parentCode?: string;
}

export async function ensureTenant(
  db: Db,
  input: z.input<typeof tenantInputSchema>,
  orgUnits: OrgUnitInput[] = [],
  /** `recordStartedAt`: start of the district's learning record (default now; demo data with a history starts earlier). */
  opts: { now?: Date; recordStartedAt?: Date } = {},
): Promise<{ id: string; created: boolean; orgUnitIds: Map<string, string> }> {
  const parsed = tenantInputSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => i.message).join('; '));
  const { slug, name } = parsed.data;
  return db.transaction(async (tx) => {
    const existing = await tx.query.tenantTable.findFirst({ where: eq(tenantTable.slug, slug) });
    const id = existing?.id ?? randomUUID();
    if (!existing) {
      const settings: Partial<TenantSettings> = parsed.data.settings ?? {};
      const now = opts.now ?? new Date();
      const start = opts.recordStartedAt ?? now;
      await tx.insert(tenantTable).values({ id, slug, name, settings, createdAt: start, recordStartedAt: start });
      await appendFact(tx, { tenantId: id, type: 'record.started', effectiveAt: start, recordedAt: now, actorId: 'system:kiko', data: {} });
    }
    const known = await tx.select().from(orgUnitTable).where(eq(orgUnitTable.tenantId, id));
    const ids = new Map(known.map((u) => [u.code, u.id]));
    for (const unit of orgUnits) {
      if (ids.has(unit.code)) continue;
      const unitId = randomUUID();
      await tx.insert(orgUnitTable).values({
        id: unitId,
        tenantId: id,
        code: unit.code,
        name: unit.name,
        parentId: unit.parentCode ? (ids.get(unit.parentCode) ?? null) : null,
      });
      ids.set(unit.code, unitId);
    }
    return { id, created: !existing, orgUnitIds: ids };
  });
}
