/**
 * The one authorization decision of KIKO: `authorize(ctx, action, target?)` either throws (Forbidden; NotFound for
 * targets outside the actor's district or scope, so nothing is revealed) or returns the Scope the verb's queries must
 * stay within. Role × action grants live in can.ts; this module adds the data scope:
 * - tenant: the actor's district (never another);
 * - org subtree: an hr, admin or staff-council grant limited to one org unit and its sub-units;
 * - cohorts: a multiplier sees the cohorts they are assigned to;
 * - self: learning actions act on the actor's own record only.
 * The CLI acts as a system or operator actor: a system actor in a tenant has that tenant's full scope.
 */
import { and, eq, sql } from 'drizzle-orm';
import { cohortMultiplierTable, cohortTable, orgUnitTable, userRoleTable, userTable } from '../../../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import { ForbiddenError, NotFoundError } from '../errors/domain-errors.ts';
import { type Action, can } from './can.ts';

export interface Scope {
  action: Action;
  /** The district every query is limited to (null only for platform actions). */
  tenantId: string | null;
  /** Id of the acting person (null for CLI actors). */
  actorUserId: string | null;
  /** Org units (a subtree) the actor may see; null = the whole district. */
  orgUnitIds: ReadonlySet<string> | null;
  /** Cohorts a multiplier may see; null = not limited by cohorts. */
  cohortIds: readonly string[] | null;
}

/** Roles whose grant can be limited to an org subtree. */
const scopedRoles = ['hr', 'admin', 'staff-council'] as const;

/** What a target must satisfy: a tenant, and optionally an org unit or a person whose org unit must be in scope. */
export interface AuthzTarget {
  tenantId?: string;
  orgUnitId?: string | null;
  userId?: string;
  /** A cohort: must be the actor's district's, and for a multiplier one they lead. */
  cohortId?: string;
}

export async function authorize(ctx: Ctx, action: Action, target: AuthzTarget = {}): Promise<Scope> {
  const { actor } = ctx;
  if (actor.kind !== 'person') {
    // CLI: operators run platform actions; a system actor acts within the tenant it was started for
    if (action === 'platform.operate') {
      if (actor.kind !== 'operator') throw new ForbiddenError();
      return { action, tenantId: null, actorUserId: null, orgUnitIds: null, cohortIds: null };
    }
    if (!actor.tenantId) throw new ForbiddenError('Bitte den Landkreis angeben (--tenant KÜRZEL).');
    if (target.tenantId && target.tenantId !== actor.tenantId) throw new NotFoundError('Nicht gefunden.');
    const scope: Scope = { action, tenantId: actor.tenantId, actorUserId: null, orgUnitIds: null, cohortIds: null };
    await checkTarget(ctx, scope, target);
    return scope;
  }
  const user = actor.user;
  if (!can(user, action)) throw new ForbiddenError();
  if (action === 'platform.operate') return { action, tenantId: null, actorUserId: user.id, orgUnitIds: null, cohortIds: null };
  const tenantId = user.tenant?.id;
  if (!tenantId) throw new ForbiddenError();
  if (target.tenantId && target.tenantId !== tenantId) throw new NotFoundError('Nicht gefunden.');
  const scope: Scope = { action, tenantId, actorUserId: user.id, orgUnitIds: null, cohortIds: null };
  if (action === 'learning.own') {
    if (target.userId && target.userId !== user.id) throw new NotFoundError('Nicht gefunden.');
    return scope;
  }
  if (action === 'cohort.view') {
    const rows = await ctx.db
      .select({ id: cohortMultiplierTable.cohortId })
      .from(cohortMultiplierTable)
      .where(and(eq(cohortMultiplierTable.tenantId, tenantId), eq(cohortMultiplierTable.userId, user.id)));
    scope.cohortIds = rows.map((r) => r.id);
    if (target.cohortId && !scope.cohortIds.includes(target.cohortId)) throw new NotFoundError('Nicht gefunden.');
    return scope;
  }
  // hr, admin, staff-council: the widest grant among the roles that allow the action decides the subtree
  const grants = await ctx.db
    .select({ role: userRoleTable.role, unit: userRoleTable.scopeOrgUnitId })
    .from(userRoleTable)
    .where(and(eq(userRoleTable.userId, user.id), eq(userRoleTable.tenantId, tenantId)));
  const relevant = grants.filter((g) => can({ ...user, roles: [g.role] }, action));
  if (relevant.length === 0) throw new ForbiddenError();
  const limited = relevant.every((g) => g.unit !== null && (scopedRoles as readonly string[]).includes(g.role));
  if (limited)
    scope.orgUnitIds = await subtrees(
      ctx,
      tenantId,
      relevant.map((g) => g.unit as string),
    );
  await checkTarget(ctx, scope, target);
  return scope;
}

/** A target org unit or person must lie in the scope's district and subtree; otherwise "not found". */
async function checkTarget(ctx: Ctx, scope: Scope, target: AuthzTarget): Promise<void> {
  if (!scope.tenantId) return;
  if (target.cohortId) {
    const cohort = await ctx.db
      .select({ id: cohortTable.id })
      .from(cohortTable)
      .where(and(eq(cohortTable.id, target.cohortId), eq(cohortTable.tenantId, scope.tenantId)));
    if (!cohort[0]) throw new NotFoundError('Nicht gefunden.');
  }
  if (target.orgUnitId) {
    const unit = await ctx.db
      .select({ id: orgUnitTable.id })
      .from(orgUnitTable)
      .where(and(eq(orgUnitTable.id, target.orgUnitId), eq(orgUnitTable.tenantId, scope.tenantId)));
    if (!unit[0] || (scope.orgUnitIds && !scope.orgUnitIds.has(target.orgUnitId))) throw new NotFoundError('Nicht gefunden.');
  }
  if (target.userId) {
    const person = await ctx.db
      .select({ unit: userTable.orgUnitId })
      .from(userTable)
      .where(and(eq(userTable.id, target.userId), eq(userTable.tenantId, scope.tenantId)));
    if (!person[0] || (scope.orgUnitIds && !(person[0].unit && scope.orgUnitIds.has(person[0].unit))))
      throw new NotFoundError('Nicht gefunden.');
  }
}

/** The given org units and all their sub-units (one recursive query). */
async function subtrees(ctx: Ctx, tenantId: string, roots: string[]): Promise<Set<string>> {
  const rows = await ctx.db.all<{ id: string }>(sql`
    WITH RECURSIVE tree(id, depth) AS (
      SELECT id, 0 FROM ${orgUnitTable} WHERE tenant_id = ${tenantId} AND id IN (${sql.join(
        roots.map((r) => sql`${r}`),
        sql`, `,
      )})
      UNION
      SELECT o.id, tree.depth + 1 FROM ${orgUnitTable} AS o JOIN tree ON o.parent_id = tree.id
       WHERE o.tenant_id = ${tenantId} AND tree.depth < 32)
    SELECT DISTINCT id FROM tree`);
  return new Set(rows.map((r) => r.id));
}

/** Whether a person's org unit lies in the scope (always true without a subtree limit). */
export function inScope(scope: Scope, orgUnitId: string | null): boolean {
  return scope.orgUnitIds === null || (orgUnitId !== null && scope.orgUnitIds.has(orgUnitId));
}
