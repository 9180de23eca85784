/**
 * Who belongs to a cohort — the one place that answers it; the admin pages, the multiplier's dashboard, matrix and
 * item analysis, and the learner's "Ihre Multiplikator:innen" all ask here. Members are computed from the cohort's
 * rules (db/schema/cohorts.ts) and people's org unit, never stored, so a cohort follows people when they move:
 * - now: the rules valid now and everyone's current org unit (users);
 * - as of a past time T: the rules valid at T (before the cohort was created: its first rules) and everyone's
 *   membership as of T from the learning record (`membership.changed` facts effective by T). The org tree itself is
 *   today's (org units are not yet versioned);
 * - an ended cohort: its members at the moment it ended (later moves do not change it).
 * Disabled accounts are no members. A subtree-limited admin sees only the members inside their subtree.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { type CohortRuleKind, cohortRuleTable, cohortTable, orgUnitTable } from '../../../../db/schema/index.ts';
import { authorize, type Scope } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { NotFoundError } from '../errors/domain-errors.ts';
import { membershipsAsOf } from './membership-as-of.ts';

export interface Cohort {
  id: string;
  tenantId: string;
  name: string;
  createdAt: Date;
  endedAt: Date | null;
}

export interface CohortRule {
  kind: CohortRuleKind;
  orgUnitId: string | null;
  includeSubunits: boolean;
  userId: string | null;
  validFrom: Date;
  validTo: Date | null;
}

/** A member with the membership that made them one. */
export interface CohortMember {
  userId: string;
  orgUnitId: string | null;
  jobRole: string;
  /** Name and e-mail, read with the members now (not for a past time); for the person views that show them. */
  name?: string;
  email?: string;
}

/** Rules in force at `at`. */
export function rulesValidAt(rules: readonly CohortRule[], at: Date): CohortRule[] {
  return rules.filter((r) => r.validFrom <= at && (r.validTo === null || r.validTo > at));
}

/** Whether the rules pick a person in `orgUnitId` (parentOf: the org tree, child → parent). Pure. */
export function rulesPick(
  rules: readonly CohortRule[],
  person: { userId: string; orgUnitId: string | null },
  parentOf: ReadonlyMap<string, string | null>,
): boolean {
  for (const r of rules) {
    if (r.kind === 'person' && r.userId === person.userId) return true;
    if (r.kind !== 'org-unit' || !r.orgUnitId || !person.orgUnitId) continue;
    if (r.orgUnitId === person.orgUnitId) return true;
    if (!r.includeSubunits) continue;
    for (let u = parentOf.get(person.orgUnitId) ?? null, depth = 0; u && depth < 32; u = parentOf.get(u) ?? null, depth++)
      if (u === r.orgUnitId) return true;
  }
  return false;
}

/** The cohort in the scope's district (and, for a multiplier, among the cohorts they lead); NotFound otherwise. */
export async function requireCohortIn(ctx: Ctx, scope: Scope, cohortId: string): Promise<Cohort> {
  if (scope.cohortIds && !scope.cohortIds.includes(cohortId)) throw new NotFoundError('Diese Kohorte gibt es nicht.');
  const [row] = await ctx.db
    .select()
    .from(cohortTable)
    .where(and(eq(cohortTable.id, cohortId), eq(cohortTable.tenantId, scope.tenantId as string)));
  if (!row) throw new NotFoundError('Diese Kohorte gibt es nicht.');
  return row;
}

/** The rules of some cohorts, by cohort id (one query). */
export async function rulesOf(ctx: Ctx, scope: Scope, cohortIds: readonly string[]): Promise<Map<string, CohortRule[]>> {
  const out = new Map<string, CohortRule[]>(cohortIds.map((id) => [id, []]));
  if (cohortIds.length === 0) return out;
  const rows = await ctx.db
    .select()
    .from(cohortRuleTable)
    .where(and(eq(cohortRuleTable.tenantId, scope.tenantId as string), inArray(cohortRuleTable.cohortId, [...cohortIds])));
  for (const r of rows) out.get(r.cohortId)?.push(r);
  return out;
}

/** The district's org tree, child → parent. */
async function orgTreeOf(ctx: Ctx, tenantId: string): Promise<Map<string, string | null>> {
  const units = await ctx.db
    .select({ id: orgUnitTable.id, parentId: orgUnitTable.parentId })
    .from(orgUnitTable)
    .where(eq(orgUnitTable.tenantId, tenantId));
  return new Map(units.map((u) => [u.id, u.parentId]));
}

/** The unit ids the org-unit rules cover (with sub-units where asked), from the org tree. Pure. */
export function unitsCovered(rules: readonly CohortRule[], parentOf: ReadonlyMap<string, string | null>): Set<string> {
  const covered = new Set<string>();
  for (const unit of parentOf.keys()) if (rulesPick(rules, { userId: '', orgUnitId: unit }, parentOf)) covered.add(unit);
  return covered;
}

/** When membership of the cohort is read: `asOf` (default now), but never after the cohort ended (its last moment). */
export function membershipTime(cohort: Cohort, now: Date, asOf?: Date): Date {
  const t = asOf ?? now;
  return cohort.endedAt && cohort.endedAt <= t ? new Date(cohort.endedAt.getTime() - 1) : t;
}

/**
 * Members of a cohort (see the module comment). Internal step of a verb that has authorized the cohort. One or two
 * queries, whatever the cohort's size: the people of the covered units (users_tenant_org_members_idx, no table row read) and the hand-picked
 * people by primary key; as of a past time the district's membership facts (membership-as-of.ts).
 */
export async function membersOf(
  ctx: Ctx,
  scope: Scope,
  cohort: Cohort,
  /** `withNames`: also name and e-mail (now only; from the same index) */
  opts: { asOf?: Date; withNames?: boolean } = {},
): Promise<CohortMember[]> {
  const tenantId = scope.tenantId as string;
  const now = ctx.clock();
  const at = membershipTime(cohort, now, opts.asOf);
  // before the cohort existed: who its first rules would have taken in then (so "since a month ago" compares alike)
  const rulesTime = new Date(Math.max(at.getTime(), cohort.createdAt.getTime()));
  const rules = rulesValidAt((await rulesOf(ctx, scope, [cohort.id])).get(cohort.id) ?? [], rulesTime);
  if (rules.length === 0) return [];
  const parentOf = await orgTreeOf(ctx, tenantId);
  const units = [...unitsCovered(rules, parentOf)];
  const people = rules.filter((r) => r.kind === 'person' && r.userId).map((r) => r.userId as string);
  let rows: Array<{ user_id: string; org_unit_id: string | null; job_role: string; status: string; name?: string; email?: string }>;
  if (at.getTime() >= now.getTime() - 1000) {
    const names = opts.withNames ? sql`, name, email` : sql``;
    const uNames = opts.withNames ? sql`, u.name, u.email` : sql``;
    rows = await ctx.db.all(sql`
      SELECT id AS user_id, org_unit_id, job_role, status${names} FROM users
       WHERE tenant_id = ${tenantId} AND org_unit_id IN (SELECT value FROM json_each(${JSON.stringify(units)}))
      UNION ALL
      SELECT u.id, u.org_unit_id, u.job_role, u.status${uNames} FROM json_each(${JSON.stringify(people)}) AS j
        CROSS JOIN users AS u ON u.id = j.value WHERE +u.tenant_id = ${tenantId}`);
  } else {
    // each person's latest membership fact effective by T (kept per process, membership-as-of.ts)
    const unitSet = new Set(units);
    const picked = new Set(people);
    rows = (await membershipsAsOf(ctx.db, tenantId, at))
      .filter((f) => picked.has(f.userId) || (f.orgUnitId !== null && unitSet.has(f.orgUnitId)))
      .map((f) => ({ user_id: f.userId, org_unit_id: f.orgUnitId, job_role: f.jobRole, status: f.status }));
  }
  const members = new Map<string, CohortMember>(); // a picked person in a covered unit comes twice
  for (const r of rows) {
    if (r.status !== 'active') continue;
    if (scope.orgUnitIds && !(r.org_unit_id && scope.orgUnitIds.has(r.org_unit_id))) continue;
    members.set(
      r.user_id,
      r.name === undefined
        ? { userId: r.user_id, orgUnitId: r.org_unit_id, jobRole: r.job_role }
        : { userId: r.user_id, orgUnitId: r.org_unit_id, jobRole: r.job_role, name: r.name, email: r.email },
    );
  }
  return [...members.values()];
}

/**
 * Members of a cohort, for the multiplier who leads it (`cohort.view`) or the district admin (`tenant.admin`).
 * Another district's cohort, another multiplier's cohort or an unknown id: NotFound.
 */
export async function getCohortMembers(
  ctx: Ctx,
  cohortId: string,
  opts: { asOf?: Date; as?: 'cohort.view' | 'tenant.admin' } = {},
): Promise<{ cohort: Cohort; members: CohortMember[] }> {
  const scope = await authorize(ctx, opts.as ?? 'cohort.view', { cohortId });
  const cohort = await requireCohortIn(ctx, scope, cohortId);
  return { cohort, members: await membersOf(ctx, scope, cohort, { asOf: opts.asOf }) };
}

/** The running cohorts a person belongs to now (for the learner's page). Internal step of an authorized verb. */
export async function cohortsOfPerson(ctx: Ctx, scope: Scope, person: { userId: string; orgUnitId: string | null }): Promise<Cohort[]> {
  const tenantId = scope.tenantId as string;
  const now = ctx.clock();
  const running = await ctx.db
    .select()
    .from(cohortTable)
    .where(and(eq(cohortTable.tenantId, tenantId), sql`${cohortTable.endedAt} IS NULL`));
  if (running.length === 0) return [];
  const [rules, parentOf] = await Promise.all([
    rulesOf(
      ctx,
      scope,
      running.map((c) => c.id),
    ),
    orgTreeOf(ctx, tenantId),
  ]);
  return running.filter((c) => rulesPick(rulesValidAt(rules.get(c.id) ?? [], now), person, parentOf));
}
