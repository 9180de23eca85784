/**
 * Retention of deactivated accounts (GDPR Art. 5 (1) e, Art. 17): a district may set "erase deactivated accounts
 * after N months" (`deleteDeactivatedAfterMonths`, off by default). The scheduled job (jobs/server-jobs.ts, one
 * process at a time through its lease) and `kiko retention run` erase every account of the district deactivated at
 * least N months ago through the one erasure verb (erasePerson: pseudonymised, certificates revoked, aggregate
 * evidence and audit chain intact), and write one `retention.run` audit entry per run with how many were erased —
 * what the admin page shows as the last run. A dry run erases nothing and writes nothing.
 */
import { and, desc, eq, isNotNull, like, lte, not } from 'drizzle-orm';
import { z } from 'zod';
import { auditEventTable, tenantTable, userTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { ForbiddenError, ValidationError } from '../errors/domain-errors.ts';
import { addMonths } from '../evidence/course-status.ts';
import { readTenantSettings } from '../tenancy/tenant-settings.ts';
import { erasePerson } from './erase-person.ts';

export const RETENTION_EVENT = 'retention.run';

export interface RetentionCandidate {
  id: string;
  email: string;
  deactivatedAt: Date;
}

export interface RetentionRun {
  /** The district's setting; null: retention is off and nothing was done. */
  months: number | null;
  /** Accounts deactivated on or before this instant are due. */
  cutoff: Date | null;
  dryRun: boolean;
  due: RetentionCandidate[];
  erased: number;
  certificatesRevoked: number;
  /** Accounts whose erasure was refused or failed (retried at the next run). */
  failed: number;
}

export interface RetentionStatus {
  months: number | null;
  /** Accounts that the next run would erase. */
  dueNow: number;
  lastRun: { at: Date; erased: number } | null;
}

/** Accounts of the district deactivated on or before `cutoff` and not erased yet (oldest first). */
async function candidates(ctx: Ctx, tenantId: string, cutoff: Date): Promise<RetentionCandidate[]> {
  const rows = await ctx.db
    .select({ id: userTable.id, email: userTable.email, deactivatedAt: userTable.deactivatedAt })
    .from(userTable)
    .where(
      and(
        eq(userTable.tenantId, tenantId),
        eq(userTable.status, 'disabled'),
        isNotNull(userTable.deactivatedAt),
        lte(userTable.deactivatedAt, cutoff),
        not(like(userTable.email, '%@geloescht.invalid')),
      ),
    )
    .orderBy(userTable.deactivatedAt);
  return rows.map((r) => ({ id: r.id, email: r.email, deactivatedAt: r.deactivatedAt as Date }));
}

async function monthsOf(ctx: Ctx, tenantId: string): Promise<number | null> {
  const [row] = await ctx.db.select({ settings: tenantTable.settings }).from(tenantTable).where(eq(tenantTable.id, tenantId));
  return readTenantSettings(row?.settings).deleteDeactivatedAfterMonths ?? null;
}

/** One retention run for the actor's district (the job's and the CLI's verb). */
export async function runRetention(ctx: Ctx, opts: { dryRun?: boolean } = {}): Promise<RetentionRun> {
  const scope = await authorize(ctx, 'tenant.admin');
  const tenantId = scope.tenantId as string;
  const dryRun = opts.dryRun === true;
  const months = await monthsOf(ctx, tenantId);
  if (months === null) return { months, cutoff: null, dryRun, due: [], erased: 0, certificatesRevoked: 0, failed: 0 };
  const now = ctx.clock();
  const cutoff = addMonths(now, -months);
  const due = await candidates(ctx, tenantId, cutoff);
  if (dryRun) return { months, cutoff, dryRun, due, erased: 0, certificatesRevoked: 0, failed: 0 };
  let erased = 0;
  let certificatesRevoked = 0;
  let failed = 0;
  // one transaction per person (erasePerson's own): a refusal (e.g. the last admin) or failure leaves that person as
  // they were, the others are erased, and the next run tries again
  for (const person of due) {
    try {
      const r = await erasePerson(ctx, person.id);
      erased++;
      certificatesRevoked += r.certificatesRevoked;
    } catch {
      failed++;
    }
  }
  await ctx.db.transaction((tx) =>
    appendAuditEvent(tx, {
      tenantId,
      actorId: actorId(ctx.actor),
      type: RETENTION_EVENT,
      data: { months, cutoff: cutoff.toISOString(), erased, certificatesRevoked, failed },
      at: now,
    }),
  );
  return { months, cutoff, dryRun, due, erased, certificatesRevoked, failed };
}

/** The admin page: the setting, how many are due now, and the last run. */
export async function getRetentionStatus(ctx: Ctx): Promise<RetentionStatus> {
  const scope = await authorize(ctx, 'tenant.admin');
  const tenantId = scope.tenantId as string;
  const months = await monthsOf(ctx, tenantId);
  const dueNow = months === null ? 0 : (await candidates(ctx, tenantId, addMonths(ctx.clock(), -months))).length;
  const [last] = await ctx.db
    .select({ at: auditEventTable.at, data: auditEventTable.data })
    .from(auditEventTable)
    .where(and(eq(auditEventTable.tenantId, tenantId), eq(auditEventTable.type, RETENTION_EVENT)))
    .orderBy(desc(auditEventTable.seq))
    .limit(1);
  return { months, dueNow, lastRun: last ? { at: last.at, erased: Number((last.data as { erased?: unknown }).erased ?? 0) } : null };
}

export const retentionSettingSchema = z.object({
  enabled: z.boolean(),
  months: z.coerce
    .number({ error: 'Bitte die Zahl der Monate angeben.' })
    .int('Bitte eine ganze Zahl von Monaten angeben.')
    .min(1, 'Mindestens 1 Monat.')
    .max(240, 'Höchstens 240 Monate (20 Jahre).')
    .optional(),
});

/** Switches retention on (with N months) or off; district-wide admins only, audited. */
export async function updateRetentionSetting(ctx: Ctx, input: z.input<typeof retentionSettingSchema>): Promise<{ months: number | null }> {
  const scope = await authorize(ctx, 'tenant.admin');
  if (scope.orgUnitIds) throw new ForbiddenError('Diese Einstellung kann nur die Administration des ganzen Landkreises ändern.');
  const parsed = retentionSettingSchema.safeParse(input);
  if (!parsed.success)
    throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ungültige Eingabe.', { months: parsed.error.issues[0]?.message ?? '' });
  if (parsed.data.enabled && parsed.data.months === undefined)
    throw new ValidationError('Bitte die Zahl der Monate angeben.', { months: 'Bitte die Zahl der Monate angeben.' });
  const months = parsed.data.enabled ? (parsed.data.months as number) : null;
  const tenantId = scope.tenantId as string;
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.select({ settings: tenantTable.settings }).from(tenantTable).where(eq(tenantTable.id, tenantId));
    const { deleteDeactivatedAfterMonths: _old, ...rest } = readTenantSettings(row?.settings);
    const next = months === null ? rest : { ...rest, deleteDeactivatedAfterMonths: months };
    await tx.update(tenantTable).set({ settings: next }).where(eq(tenantTable.id, tenantId));
    await appendAuditEvent(tx, {
      tenantId,
      actorId: actorId(ctx.actor),
      type: 'tenant.retention-changed',
      data: { deleteDeactivatedAfterMonths: months },
      at: ctx.clock(),
    });
  });
  return { months };
}

/** Districts (active ones) that have retention switched on: what the scheduled job visits. */
export async function districtsWithRetention(db: Ctx['db']): Promise<Array<{ id: string; slug: string }>> {
  const rows = await db
    .select({ id: tenantTable.id, slug: tenantTable.slug, settings: tenantTable.settings })
    .from(tenantTable)
    .where(eq(tenantTable.status, 'active'));
  return rows
    .filter((r) => readTenantSettings(r.settings).deleteDeactivatedAfterMonths !== undefined)
    .map((r) => ({ id: r.id, slug: r.slug }));
}
