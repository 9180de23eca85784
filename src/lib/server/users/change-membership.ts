/**
 * Moves a person to another org unit and/or job role. The change is a fact in the learning record with the date it
 * took effect (an import may state a move of last week), so evidence for earlier dates keeps the old membership.
 */
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { orgUnitTable, userTable } from '../../../../db/schema/index.ts';
import { jobRoleSchema } from '../../shared/content-schema.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { appendAuditEvents } from '../audit/append-audit-events.ts';
import { authorize } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { appendFact, appendFactsBulk, type Tx } from '../evidence/record.ts';

export const changeMembershipSchema = z.object({
  userId: z.string().min(1).max(100),
  orgUnitId: z.string().min(1).max(100).nullable().optional(),
  jobRole: jobRoleSchema.exclude(['alle']).optional(),
  /** When the change took effect (default: now); never in the future. */
  effectiveAt: z.date().optional(),
});

export async function changeMembership(ctx: Ctx, input: z.input<typeof changeMembershipSchema>): Promise<void> {
  const parsed = changeMembershipSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ungültige Eingabe.');
  const { userId } = parsed.data;
  const scope = await authorize(ctx, 'tenant.admin', { userId });
  const tenantId = scope.tenantId as string;
  const now = ctx.clock();
  const effectiveAt = parsed.data.effectiveAt ?? now;
  if (effectiveAt > now) throw new ValidationError('Eine Änderung kann nicht in der Zukunft wirksam werden.');
  if (parsed.data.orgUnitId) await authorize(ctx, 'tenant.admin', { orgUnitId: parsed.data.orgUnitId });
  await ctx.db.transaction(async (tx) => {
    const [user] = await tx
      .select()
      .from(userTable)
      .where(and(eq(userTable.id, userId), eq(userTable.tenantId, tenantId)));
    if (!user) throw new NotFoundError('Diese Person gibt es in Ihrem Landkreis nicht.');
    const orgUnitId = parsed.data.orgUnitId === undefined ? user.orgUnitId : parsed.data.orgUnitId;
    if (orgUnitId) {
      const [unit] = await tx
        .select({ id: orgUnitTable.id, closedAt: orgUnitTable.closedAt })
        .from(orgUnitTable)
        .where(and(eq(orgUnitTable.id, orgUnitId), eq(orgUnitTable.tenantId, tenantId)));
      if (!unit || (unit.closedAt && orgUnitId !== user.orgUnitId))
        throw new NotFoundError('Diese Organisationseinheit gibt es in Ihrem Landkreis nicht.');
    }
    const jobRole = parsed.data.jobRole ?? user.jobRole;
    const by = actorId(ctx.actor);
    await appendFact(tx, {
      tenantId,
      type: 'membership.changed',
      userId,
      data: { orgUnitId, jobRole, status: user.status },
      effectiveAt,
      recordedAt: now,
      actorId: by,
    });
    await tx
      .update(userTable)
      .set({ orgUnitId, jobRole })
      .where(and(eq(userTable.id, userId), eq(userTable.tenantId, tenantId)));
    await appendAuditEvent(tx, {
      tenantId,
      actorId: by,
      type: 'user.membership-changed',
      subjectId: userId,
      data: { orgUnitId, jobRole, effectiveAt: effectiveAt.toISOString() },
      at: now,
    });
  });
}

/** One person's membership from now on (org unit, job role, account status), as a batch write records it. */
export interface MembershipChange {
  userId: string;
  orgUnitId: string | null;
  jobRole: string;
  status: 'active' | 'disabled';
}

/** People per set-based statement. */
const FACT_CHUNK = 2_000;

/**
 * Records many membership changes inside the caller's transaction, set-based: the `membership.changed` facts, the
 * users projection (one UPDATE … FROM json_each per chunk) and one audit entry per person. For verbs that have
 * already authorized the whole batch (closing an org unit, a staff import, deactivating a person): the caller checks
 * that every person and unit lies in its scope. `audit` adds fields to each entry (e.g. the import or the closed unit).
 */
export async function recordMembershipChanges(
  tx: Tx,
  input: {
    tenantId: string;
    actorId: string;
    /** When the changes took effect. */
    at: Date;
    /** When they are written (default `at`): a staged import's batch takes effect at the import, written later. */
    recordedAt?: Date;
    changes: readonly MembershipChange[];
    auditType?: string;
    audit?: Record<string, unknown>;
  },
): Promise<number> {
  const { tenantId, at, changes } = input;
  const recordedAt = input.recordedAt ?? at;
  if (changes.length === 0) return 0;
  for (let i = 0; i < changes.length; i += FACT_CHUNK) {
    // the unary + keeps SQLite from walking the district's index: each person is found by primary key
    const part = changes.slice(i, i + FACT_CHUNK);
    await appendFactsBulk(
      tx,
      tenantId,
      part.map((c) => ({
        type: 'membership.changed' as const,
        userId: c.userId,
        data: { orgUnitId: c.orgUnitId, jobRole: c.jobRole, status: c.status },
        effectiveAt: at,
        recordedAt,
        actorId: input.actorId,
      })),
    );
    await tx.run(sql`UPDATE ${userTable}
        SET org_unit_id = j.value->>1, job_role = j.value->>2, status = j.value->>3,
            deactivated_at = CASE WHEN j.value->>3 = 'disabled' THEN coalesce(${userTable.deactivatedAt}, ${at.getTime()}) END
       FROM json_each(${JSON.stringify(part.map((c) => [c.userId, c.orgUnitId, c.jobRole, c.status]))}) AS j
      WHERE ${userTable.id} = j.value->>0 AND +${userTable.tenantId} = ${tenantId}`);
  }
  await appendAuditEvents(
    tx,
    changes.map((c) => ({
      tenantId,
      actorId: input.actorId,
      type: input.auditType ?? 'user.membership-changed',
      subjectId: c.userId,
      data: { orgUnitId: c.orgUnitId, jobRole: c.jobRole, status: c.status, effectiveAt: at.toISOString(), ...input.audit },
      at: recordedAt,
    })),
  );
  return changes.length;
}
