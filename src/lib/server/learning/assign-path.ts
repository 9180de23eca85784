/** Admin: assign a learning path to one person or an org unit (overrides the job-role default), with a due date. */
import { randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { orgUnitTable, pathAssignmentTable, userTable } from '../../../../db/schema/index.ts';
import { dueDateSchema } from '../../shared/content-schema.ts';
import { endOfDayBerlin } from '../../shared/dates.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { authorize } from '../authz/authorize.ts';
import { type Ctx, actorId as idOf } from '../context.ts';
import { NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { appendFact } from '../evidence/record.ts';

export const assignPathInputSchema = z
  .object({
    pathId: z.string().min(1, 'Bitte einen Lernpfad wählen.'),
    userId: z.string().optional(),
    /** Alternative to userId: the person's login e-mail (admin form). */
    email: z.union([z.email('Bitte eine gültige E-Mail-Adresse eingeben.'), z.literal('')]).optional(),
    orgUnitId: z.string().optional(),
    /** Due date (YYYY-MM-DD); empty = the path's default. */
    dueOn: z.union([dueDateSchema, z.literal('')]).optional(),
  })
  .refine((v) => Boolean(v.userId || v.email) !== Boolean(v.orgUnitId), {
    message: 'Bitte entweder eine Person oder eine Organisationseinheit wählen.',
    path: ['userId'],
  });
export type AssignPathInput = z.input<typeof assignPathInputSchema>;

/**
 * Assigns a path to a person or an org unit. Replaces an earlier assignment of the same target: the record gets
 * "path.unassigned" for the old one and "path.assigned" for the new one (the projection keeps only the active one).
 */
export async function assignPath(ctx: Ctx, input: AssignPathInput): Promise<{ id: string }> {
  const scope = await authorize(ctx, 'tenant.admin');
  const tenantId = scope.tenantId as string;
  const { db, content } = ctx;
  const actorId = idOf(ctx.actor);
  const now = ctx.clock();
  const parsed = assignPathInputSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? 'Ungültige Eingabe.');
  const { pathId, orgUnitId, dueOn } = parsed.data;
  if (!content.paths.has(pathId)) throw new ValidationError('Diesen Lernpfad gibt es nicht.');
  let userId = parsed.data.userId;
  if (!userId && parsed.data.email) {
    const found = await db.query.userTable.findFirst({
      where: and(eq(userTable.email, parsed.data.email.trim().toLowerCase()), eq(userTable.tenantId, tenantId)),
      columns: { id: true },
    });
    if (!found) throw new NotFoundError('Eine Person mit dieser E-Mail-Adresse gibt es in Ihrem Landkreis nicht.');
    userId = found.id;
  }
  // the target must belong to the admin's tenant
  if (
    userId &&
    !(await db.query.userTable.findFirst({ where: and(eq(userTable.id, userId), eq(userTable.tenantId, tenantId)), columns: { id: true } }))
  )
    throw new NotFoundError('Diese Person gibt es in Ihrem Landkreis nicht.');
  if (
    orgUnitId &&
    !(await db.query.orgUnitTable.findFirst({
      where: and(eq(orgUnitTable.id, orgUnitId), eq(orgUnitTable.tenantId, tenantId)),
      columns: { id: true },
    }))
  )
    throw new NotFoundError('Diese Organisationseinheit gibt es in Ihrem Landkreis nicht.');
  await authorize(ctx, 'tenant.admin', userId ? { userId } : { orgUnitId: orgUnitId ?? null });
  const dueAt = dueOn ? endOfDayBerlin(dueOn) : null;
  return db.transaction(async (tx) => {
    const target = userId ? eq(pathAssignmentTable.userId, userId) : eq(pathAssignmentTable.orgUnitId, orgUnitId as string);
    const other = userId ? isNull(pathAssignmentTable.orgUnitId) : isNull(pathAssignmentTable.userId);
    const replaced = await tx
      .delete(pathAssignmentTable)
      .where(and(eq(pathAssignmentTable.tenantId, tenantId), target, other))
      .returning();
    for (const old of replaced)
      await appendFact(tx, {
        tenantId,
        type: 'path.unassigned',
        userId: old.userId,
        orgUnitId: old.orgUnitId,
        subject: old.pathId,
        ref: old.id,
        effectiveAt: now,
        actorId,
      });
    const id = randomUUID();
    await tx
      .insert(pathAssignmentTable)
      .values({ id, tenantId, userId: userId ?? null, orgUnitId: orgUnitId ?? null, pathId, dueAt, assignedBy: actorId, createdAt: now });
    await appendFact(tx, {
      tenantId,
      type: 'path.assigned',
      userId: userId ?? null,
      orgUnitId: orgUnitId ?? null,
      subject: pathId,
      ref: id,
      data: { dueAt: dueAt?.getTime() ?? null },
      effectiveAt: now,
      actorId,
    });
    await appendAuditEvent(tx, {
      tenantId,
      actorId,
      type: 'path.assigned',
      subjectId: userId ?? orgUnitId ?? null,
      data: { pathId, orgUnitId: orgUnitId ?? null, dueOn: dueOn || null },
      at: now,
    });
    return { id };
  });
}

/** Removes an explicit assignment (the person falls back to the org unit or job-role default). */
export async function removePathAssignment(ctx: Ctx, assignmentId: string): Promise<void> {
  const scope = await authorize(ctx, 'tenant.admin');
  const tenantId = scope.tenantId as string;
  const actorId = idOf(ctx.actor);
  const now = ctx.clock();
  const [found] = await ctx.db
    .select()
    .from(pathAssignmentTable)
    .where(and(eq(pathAssignmentTable.id, assignmentId), eq(pathAssignmentTable.tenantId, tenantId)));
  if (!found) throw new NotFoundError('Diese Zuweisung gibt es nicht.');
  await authorize(ctx, 'tenant.admin', found.userId ? { userId: found.userId } : { orgUnitId: found.orgUnitId });
  await ctx.db.transaction(async (tx) => {
    const removed = await tx
      .delete(pathAssignmentTable)
      .where(and(eq(pathAssignmentTable.id, assignmentId), eq(pathAssignmentTable.tenantId, tenantId)))
      .returning({ id: pathAssignmentTable.id, pathId: pathAssignmentTable.pathId });
    if (removed.length === 0) throw new NotFoundError('Diese Zuweisung gibt es nicht.');
    await appendFact(tx, {
      tenantId,
      type: 'path.unassigned',
      userId: found.userId,
      orgUnitId: found.orgUnitId,
      subject: found.pathId,
      ref: found.id,
      effectiveAt: now,
      actorId,
    });
    await appendAuditEvent(tx, {
      tenantId,
      actorId,
      type: 'path.unassigned',
      subjectId: assignmentId,
      data: { pathId: removed[0]?.pathId },
      at: now,
    });
  });
}

export interface AssignmentRow {
  id: string;
  pathId: string;
  target: string;
  kind: 'person' | 'org-unit';
  dueAt: Date | null;
  createdAt: Date;
}

export async function listPathAssignments(ctx: Ctx): Promise<AssignmentRow[]> {
  const scope = await authorize(ctx, 'tenant.admin');
  const tenantId = scope.tenantId as string;
  const rows = await ctx.db
    .select({ a: pathAssignmentTable, userName: userTable.name, unitName: orgUnitTable.name })
    .from(pathAssignmentTable)
    .leftJoin(userTable, eq(userTable.id, pathAssignmentTable.userId))
    .leftJoin(orgUnitTable, eq(orgUnitTable.id, pathAssignmentTable.orgUnitId))
    .where(eq(pathAssignmentTable.tenantId, tenantId));
  return rows
    .map((r) => ({
      id: r.a.id,
      pathId: r.a.pathId,
      target: r.userName ?? r.unitName ?? '–',
      kind: r.a.userId ? ('person' as const) : ('org-unit' as const),
      dueAt: r.a.dueAt,
      createdAt: r.a.createdAt,
    }))
    .sort((a, b) => a.target.localeCompare(b.target, 'de'));
}
