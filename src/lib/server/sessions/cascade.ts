/**
 * The cascade of the multiplier programme: per multiplier (and in all), sessions held, hours, colleagues reached
 * (attended at least one of the multiplier's sessions) and how many of them completed their required path compared
 * with colleagues not reached. Completion shares appear only when both groups have at least the district's minimum
 * group size (`minGroupSize`, as for item analysis), so nobody's status can be read off a small group. Statuses come
 * from the one status rule (computeStatusAsOf), attendance from `session.attended` facts of the learning record.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { tenantTable, trainingSessionMultiplierTable, trainingSessionTable, userTable } from '../../../../db/schema/index.ts';
import { authorize, type Scope } from '../authz/authorize.ts';
import { membersOf, requireCohortIn } from '../cohorts/cohort-members.ts';
import type { Ctx } from '../context.ts';
import { percentOf } from '../evidence/course-status.ts';
import { computeStatusAsOf, type PersonStatus } from '../evidence/status-as-of.ts';
import { readTenantSettings } from '../tenancy/tenant-settings.ts';

export interface CascadeRow {
  /** The multiplier, or null for the row of all multipliers together. */
  multiplierId: string | null;
  name: string;
  sessionsHeld: number;
  /** Hours of the sessions held (sum of their lengths). */
  hours: number;
  /** Colleagues (of the group looked at) who attended at least one of these sessions. */
  reached: number;
  notReached: number;
  /** Share of the reached who completed their required path; null when a group is smaller than the minimum. */
  reachedCompletedPercent: number | null;
  notReachedCompletedPercent: number | null;
}

export interface Cascade {
  rows: CascadeRow[];
  total: CascadeRow;
  minGroupSize: number;
  /** People of the group looked at (cohort members, or HR's staff in scope). */
  people: number;
}

export interface CascadeSession {
  id: string;
  minutes: number;
  leads: readonly string[];
  held: boolean;
}

/** The figures from sessions, attendance and people's completion. Pure. */
export function cascadeFigures(input: {
  sessions: readonly CascadeSession[];
  attendees: ReadonlyMap<string, ReadonlySet<string>>;
  completed: ReadonlyMap<string, boolean>;
  names: ReadonlyMap<string, string>;
  minGroupSize: number;
}): Omit<Cascade, 'minGroupSize'> {
  const { sessions, attendees, completed, minGroupSize } = input;
  const held = sessions.filter((s) => s.held);
  const rowOf = (multiplierId: string | null, name: string, own: readonly CascadeSession[]): CascadeRow => {
    const reached = new Set<string>();
    for (const s of own) for (const u of attendees.get(s.id) ?? []) if (completed.has(u)) reached.add(u);
    const notReached = [...completed.keys()].filter((u) => !reached.has(u));
    const share = (group: readonly string[]) => percentOf(group.filter((u) => completed.get(u)).length, group.length);
    const shown = reached.size >= minGroupSize && notReached.length >= minGroupSize;
    return {
      multiplierId,
      name,
      sessionsHeld: own.length,
      hours: Math.round((own.reduce((s, x) => s + x.minutes, 0) / 60) * 10) / 10,
      reached: reached.size,
      notReached: notReached.length,
      reachedCompletedPercent: shown ? share([...reached]) : null,
      notReachedCompletedPercent: shown ? share(notReached) : null,
    };
  };
  const leads = [...new Set(held.flatMap((s) => s.leads))];
  const rows = leads
    .map((m) =>
      rowOf(
        m,
        input.names.get(m) ?? '–',
        held.filter((s) => s.leads.includes(m)),
      ),
    )
    .sort((a, b) => a.name.localeCompare(b.name, 'de'));
  return { rows, total: rowOf(null, 'Alle Multiplikator:innen', held), people: completed.size };
}

async function minGroupSizeOf(ctx: Ctx, tenantId: string): Promise<number> {
  const [row] = await ctx.db.select({ settings: tenantTable.settings }).from(tenantTable).where(eq(tenantTable.id, tenantId));
  return readTenantSettings(row?.settings).minGroupSize;
}

/** Sessions (with leads and attendees) of a district, optionally of some cohorts only (four queries). */
async function loadSessions(
  ctx: Ctx,
  tenantId: string,
  cohortIds: readonly string[] | null,
): Promise<{ sessions: CascadeSession[]; attendees: Map<string, Set<string>>; names: Map<string, string> }> {
  const now = ctx.clock();
  const rows = await ctx.db
    .select({
      id: trainingSessionTable.id,
      minutes: trainingSessionTable.minutes,
      startsAt: trainingSessionTable.startsAt,
      cancelledAt: trainingSessionTable.cancelledAt,
    })
    .from(trainingSessionTable)
    .where(
      and(eq(trainingSessionTable.tenantId, tenantId), cohortIds ? inArray(trainingSessionTable.cohortId, [...cohortIds]) : undefined),
    );
  if (rows.length === 0) return { sessions: [], attendees: new Map(), names: new Map() };
  const ids = rows.map((r) => r.id);
  const [leads, facts] = await Promise.all([
    ctx.db
      .select({ sessionId: trainingSessionMultiplierTable.sessionId, userId: trainingSessionMultiplierTable.userId, name: userTable.name })
      .from(trainingSessionMultiplierTable)
      .innerJoin(userTable, eq(userTable.id, trainingSessionMultiplierTable.userId))
      .where(and(eq(trainingSessionMultiplierTable.tenantId, tenantId), inArray(trainingSessionMultiplierTable.sessionId, ids))),
    ctx.db.all<{ ref: string; user_id: string }>(sql`
      SELECT ref, user_id FROM learning_events
       WHERE tenant_id = ${tenantId} AND type = 'session.attended'
         AND ref IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`),
  ]);
  const attendees = new Map<string, Set<string>>();
  for (const f of facts) {
    const set = attendees.get(f.ref) ?? new Set<string>();
    set.add(f.user_id);
    attendees.set(f.ref, set);
  }
  return {
    sessions: rows.map((r) => ({
      id: r.id,
      minutes: r.minutes,
      held: !r.cancelledAt && r.startsAt <= now,
      leads: leads.filter((l) => l.sessionId === r.id).map((l) => l.userId),
    })),
    attendees,
    names: new Map(leads.map((l) => [l.userId, l.name])),
  };
}

async function cascadeFor(
  ctx: Ctx,
  scope: Scope,
  cohortIds: readonly string[] | null,
  userIds: readonly string[] | undefined,
): Promise<Cascade> {
  const now = ctx.clock();
  const status = await computeStatusAsOf(ctx, scope, { asOf: now, recordedBy: now, userIds, current: true });
  return cascadeOfPeople(ctx, scope, cohortIds, status.people);
}

/**
 * The cascade over people whose status now the caller has read (the one status rule) within `scope`: internal step
 * of a verb that has authorized them (the cohort dashboard, which has its members' status at hand).
 */
export async function cascadeOfPeople(
  ctx: Ctx,
  scope: Scope,
  cohortIds: readonly string[] | null,
  people: readonly PersonStatus[],
): Promise<Cascade> {
  const tenantId = scope.tenantId as string;
  const [loaded, minGroupSize] = await Promise.all([loadSessions(ctx, tenantId, cohortIds), minGroupSizeOf(ctx, tenantId)]);
  const completed = new Map(people.filter((p) => p.status === 'active').map((p) => [p.userId, Boolean(p.path?.covered)]));
  return { ...cascadeFigures({ ...loaded, completed, minGroupSize }), minGroupSize };
}

/** The cascade of one cohort (its sessions and members), for its multipliers and the admin. */
export async function getCohortCascade(ctx: Ctx, cohortId: string): Promise<Cascade> {
  const scope = await authorize(ctx, 'cohort.view', { cohortId });
  const cohort = await requireCohortIn(ctx, scope, cohortId);
  const members = await membersOf(ctx, scope, cohort);
  return cascadeFor(
    ctx,
    scope,
    [cohort.id],
    members.map((m) => m.userId),
  );
}

/** HR: the cascade across all multipliers and sessions of the district, over the staff in HR's scope (org subtree). */
export async function getDistrictCascade(ctx: Ctx): Promise<Cascade> {
  const scope = await authorize(ctx, 'hr.view');
  return cascadeFor(ctx, scope, null, undefined);
}
