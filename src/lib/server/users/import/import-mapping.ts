/** The district's remembered import mapping: file headers → KIKO fields, job-role values → KIKO job roles. */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../../../db/client.ts';
import { importMappingTable } from '../../../../../db/schema/index.ts';
import { jobRoleLabels } from '../../../shared/people-labels.ts';
import { appendAuditEvent } from '../../audit/append-audit-event.ts';
import { authorize } from '../../authz/authorize.ts';
import { actorId, type Ctx } from '../../context.ts';
import { ValidationError } from '../../errors/domain-errors.ts';
import type { ImportMapping } from './plan-import.ts';
import { normalizeKey, staffFields } from './staff-fields.ts';

/** Reads the mapping of a district (after the caller authorized). */
export async function loadImportMapping(db: Pick<Db, 'select'>, tenantId: string): Promise<ImportMapping> {
  const rows = await db.select().from(importMappingTable).where(eq(importMappingTable.tenantId, tenantId));
  const mapping: ImportMapping = { columns: {}, jobRoles: {} };
  for (const r of rows) {
    if (r.kind === 'column') mapping.columns[r.source] = r.target as never;
    else mapping.jobRoles[r.source] = r.target;
  }
  return mapping;
}

export const saveImportMappingSchema = z.object({
  columns: z.record(z.string().max(200), z.enum([...staffFields, 'ignore', ''])).default({}),
  jobRoles: z.record(z.string().max(200), z.string().max(50)).default({}),
});

/** Remembers column and job-role mappings for the district's next imports (empty choices are skipped). */
export async function saveImportMapping(ctx: Ctx, input: z.input<typeof saveImportMappingSchema>): Promise<{ saved: number }> {
  const scope = await authorize(ctx, 'tenant.admin');
  const parsed = saveImportMappingSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError('Diese Zuordnung kann KIKO nicht speichern.');
  const tenantId = scope.tenantId as string;
  const now = ctx.clock();
  const rows = [
    ...Object.entries(parsed.data.columns)
      .filter(([, t]) => t)
      .map(([s, t]) => ({ kind: 'column' as const, source: normalizeKey(s), target: t })),
    ...Object.entries(parsed.data.jobRoles)
      .filter(([, t]) => t)
      .map(([s, t]) => {
        if (!jobRoleLabels[t]) throw new ValidationError(`Das Tätigkeitsprofil „${t}“ gibt es nicht.`);
        return { kind: 'job-role' as const, source: normalizeKey(s), target: t };
      }),
  ].filter((r) => r.source);
  if (rows.length === 0) return { saved: 0 };
  await ctx.db.transaction(async (tx) => {
    for (const r of rows)
      await tx
        .insert(importMappingTable)
        .values({ tenantId, ...r, updatedAt: now })
        .onConflictDoUpdate({
          target: [importMappingTable.tenantId, importMappingTable.kind, importMappingTable.source],
          set: { target: r.target, updatedAt: now },
        });
    await appendAuditEvent(tx, { tenantId, actorId: actorId(ctx.actor), type: 'import.mapping-saved', data: { mappings: rows }, at: now });
  });
  return { saved: rows.length };
}
