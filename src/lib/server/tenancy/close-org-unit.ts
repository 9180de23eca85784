/**
 * Closes an org unit. An empty unit closes at once; a unit with people carries them to a chosen open unit, each move
 * a membership change in the learning record (so evidence for earlier dates keeps the old unit). Role grants scoped
 * to the unit move to the target too; learning-path assignments to the unit end (facts). A unit with open sub-units cannot close: move or close those first. The closed
 * unit keeps its id (facts and past figures refer to it) and no longer appears in selections.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { orgUnitTable, pathAssignmentTable, userRoleTable, userTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { authorize, type Scope } from '../authz/authorize.ts';
import { actorId, type Ctx } from '../context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { appendFacts } from '../evidence/record.ts';
import { recordMembershipChanges } from '../users/change-membership.ts';
import { idSchema } from './org-unit-input.ts';

export const closeOrgUnitSchema = z.object({ orgUnitId: idSchema, targetId: idSchema.nullish() });

export interface ClosePreview {
  unit: { id: string; code: string; name: string };
  target: { id: string; code: string; name: string } | null;
  /** People who move (active and deactivated: the unit takes nobody any more). */
  people: Array<{ id: string; name: string; email: string; status: string }>;
  /** Role grants limited to this unit; they move to the target. */
  scopedGrants: number;
  /** Learning paths assigned to this unit: the assignments end (the people follow the target's rules). */
  pathAssignments: string[];
  openChildren: number;
}

/** Who would move where, without writing anything. */
export async function previewCloseOrgUnit(ctx: Ctx, input: z.input<typeof closeOrgUnitSchema>): Promise<ClosePreview> {
  const parsed = closeOrgUnitSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError('Ungültige Eingabe.');
  const scope = await authorize(ctx, 'tenant.admin', { orgUnitId: parsed.data.orgUnitId });
  if (parsed.data.targetId) await authorize(ctx, 'tenant.admin', { orgUnitId: parsed.data.targetId });
  return loadPreview(ctx, scope, parsed.data.orgUnitId, parsed.data.targetId || null);
}

async function loadPreview(ctx: Ctx, scope: Scope, orgUnitId: string, targetId: string | null): Promise<ClosePreview> {
  const tenantId = scope.tenantId as string;
  const units = await ctx.db
    .select()
    .from(orgUnitTable)
    .where(and(eq(orgUnitTable.tenantId, tenantId), sql`${orgUnitTable.id} IN (${orgUnitId}, ${targetId ?? orgUnitId})`));
  const unit = units.find((u) => u.id === orgUnitId);
  if (!unit || unit.closedAt) throw new NotFoundError('Diese Organisationseinheit gibt es nicht (mehr).');
  const target = targetId ? units.find((u) => u.id === targetId) : null;
  if (targetId && (!target || target.closedAt)) throw new NotFoundError('Die Ziel-Einheit gibt es nicht (mehr).');
  if (targetId === orgUnitId) throw new ValidationError('Die Ziel-Einheit muss eine andere als die zu schließende sein.');
  const [people, grants, children, assignments] = await Promise.all([
    ctx.db
      .select({ id: userTable.id, name: userTable.name, email: userTable.email, status: userTable.status })
      .from(userTable)
      .where(and(eq(userTable.tenantId, tenantId), eq(userTable.orgUnitId, orgUnitId)))
      .orderBy(asc(userTable.name)),
    ctx.db
      .select({ n: sql<number>`count(*)` })
      .from(userRoleTable)
      .where(and(eq(userRoleTable.tenantId, tenantId), eq(userRoleTable.scopeOrgUnitId, orgUnitId))),
    ctx.db
      .select({ n: sql<number>`count(*)` })
      .from(orgUnitTable)
      .where(and(eq(orgUnitTable.tenantId, tenantId), eq(orgUnitTable.parentId, orgUnitId), isNull(orgUnitTable.closedAt))),
    ctx.db
      .select({ pathId: pathAssignmentTable.pathId })
      .from(pathAssignmentTable)
      .where(and(eq(pathAssignmentTable.tenantId, tenantId), eq(pathAssignmentTable.orgUnitId, orgUnitId))),
  ]);
  const brief = (u: typeof unit) => ({ id: u.id, code: u.code, name: u.name });
  return {
    unit: brief(unit),
    target: target ? brief(target) : null,
    people,
    scopedGrants: Number(grants[0]?.n ?? 0),
    pathAssignments: assignments.map((a) => a.pathId),
    openChildren: Number(children[0]?.n ?? 0),
  };
}

/** Closes the unit, carrying its people (and grants scoped to it) to `targetId`; returns how many people moved. */
export async function closeOrgUnit(ctx: Ctx, input: z.input<typeof closeOrgUnitSchema>): Promise<{ moved: number }> {
  const parsed = closeOrgUnitSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError('Ungültige Eingabe.');
  const { orgUnitId } = parsed.data;
  const targetId = parsed.data.targetId || null;
  const scope = await authorize(ctx, 'tenant.admin', { orgUnitId });
  if (targetId) await authorize(ctx, 'tenant.admin', { orgUnitId: targetId });
  const tenantId = scope.tenantId as string;
  const now = ctx.clock();
  const by = actorId(ctx.actor);
  return ctx.db.transaction(async (tx) => {
    const preview = await loadPreview({ ...ctx, db: tx as unknown as Ctx['db'] }, scope, orgUnitId, targetId);
    if (preview.openChildren > 0)
      throw new ConflictError(
        `„${preview.unit.name}“ hat noch ${preview.openChildren} offene Untereinheit(en). Verschieben oder schließen Sie diese zuerst.`,
      );
    if ((preview.people.length > 0 || preview.scopedGrants > 0) && !preview.target)
      throw new ValidationError(
        `In „${preview.unit.name}“ sind noch ${preview.people.length} Person(en). Bitte wählen Sie die Einheit, in die sie wechseln.`,
      );
    const rows = await tx
      .select({ id: userTable.id, jobRole: userTable.jobRole, status: userTable.status })
      .from(userTable)
      .where(and(eq(userTable.tenantId, tenantId), eq(userTable.orgUnitId, orgUnitId)));
    const moved = await recordMembershipChanges(tx, {
      tenantId,
      actorId: by,
      at: now,
      changes: rows.map((r) => ({ userId: r.id, orgUnitId: targetId, jobRole: r.jobRole, status: r.status })),
      audit: { closedOrgUnitId: orgUnitId },
    });
    if (preview.scopedGrants > 0 && targetId) await carryScopedGrants(tx, tenantId, orgUnitId, targetId, by, now);
    // assignments to the closed unit end (a fact each); its former people follow the target unit's rules
    const ended = await tx
      .delete(pathAssignmentTable)
      .where(and(eq(pathAssignmentTable.tenantId, tenantId), eq(pathAssignmentTable.orgUnitId, orgUnitId)))
      .returning();
    await appendFacts(
      tx,
      ended.map((a) => ({
        tenantId,
        type: 'path.unassigned' as const,
        orgUnitId,
        subject: a.pathId,
        ref: a.id,
        effectiveAt: now,
        recordedAt: now,
        actorId: by,
      })),
    );
    await tx
      .update(orgUnitTable)
      .set({ closedAt: now })
      .where(and(eq(orgUnitTable.id, orgUnitId), eq(orgUnitTable.tenantId, tenantId)));
    await appendAuditEvent(tx, {
      tenantId,
      actorId: by,
      type: 'org-unit.closed',
      data: { orgUnitId, targetId, peopleMoved: moved, grantsMoved: preview.scopedGrants, assignmentsEnded: ended.map((a) => a.id) },
      at: now,
    });
    return { moved };
  });
}

/** Grants scoped to the closed unit now cover the target; each person's new grants are a roles.changed fact. */
async function carryScopedGrants(
  tx: Parameters<Parameters<Ctx['db']['transaction']>[0]>[0],
  tenantId: string,
  from: string,
  to: string,
  by: string,
  now: Date,
): Promise<void> {
  const holders = await tx
    .selectDistinct({ userId: userRoleTable.userId })
    .from(userRoleTable)
    .where(and(eq(userRoleTable.tenantId, tenantId), eq(userRoleTable.scopeOrgUnitId, from)));
  await tx
    .update(userRoleTable)
    .set({ scopeOrgUnitId: to })
    .where(and(eq(userRoleTable.tenantId, tenantId), eq(userRoleTable.scopeOrgUnitId, from)));
  const ids = holders.map((h) => h.userId);
  const grants = await tx
    .select({ userId: userRoleTable.userId, role: userRoleTable.role, scopeOrgUnitId: userRoleTable.scopeOrgUnitId })
    .from(userRoleTable)
    .where(
      and(eq(userRoleTable.tenantId, tenantId), sql`${userRoleTable.userId} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`),
    );
  await appendFacts(
    tx,
    ids.map((userId) => ({
      tenantId,
      type: 'roles.changed' as const,
      userId,
      data: { grants: grants.filter((g) => g.userId === userId).map((g) => ({ role: g.role, scopeOrgUnitId: g.scopeOrgUnitId })) },
      effectiveAt: now,
      recordedAt: now,
      actorId: by,
    })),
  );
}
