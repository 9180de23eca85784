/**
 * A multiplier's audience: the current members of ONE cohort they lead (the cohort module's membership rule,
 * cohorts/cohort-members.ts), by reminder status from the one status rule (computeStatusAsOf, the same match as
 * select-by-status.ts). An ended cohort has nobody left to remind. `oneCohortCanRemind` is the matching check for
 * ids the multiplier picked themselves (from the matrix): the cohort check of cohort-can-remind.ts, narrowed to this
 * cohort, so a person of the multiplier's other cohort is refused on this cohort's page.
 */
import { authorize } from '../authz/authorize.ts';
import { membersOf, requireCohortIn } from '../cohorts/cohort-members.ts';
import type { Ctx } from '../context.ts';
import { computeStatusAsOf } from '../evidence/status-as-of.ts';
import { cohortCanRemind } from './cohort-can-remind.ts';
import type { CanRemind } from './reminder-audience.ts';
import { matchesReminderStatus, type ReminderStatus } from './select-by-status.ts';

/** The current members of the cohort `cohortId` (nobody when the sender does not lead it, or it ended). */
export function oneCohortCanRemind(cohortId: string): CanRemind {
  return (ctx, scope, userIds) =>
    cohortCanRemind(ctx, { ...scope, cohortIds: (scope.cohortIds ?? []).filter((id) => id === cohortId) }, userIds);
}

/** Ids of the cohort's current members with any of `statuses`; NotFound for a cohort the multiplier does not lead. */
export async function selectCohortMembersByStatus(ctx: Ctx, cohortId: string, statuses: readonly ReminderStatus[]): Promise<string[]> {
  const scope = await authorize(ctx, 'cohort.view', { cohortId });
  const cohort = await requireCohortIn(ctx, scope, cohortId);
  if (cohort.endedAt || statuses.length === 0) return [];
  const members = await membersOf(ctx, scope, cohort);
  if (members.length === 0) return [];
  const now = ctx.clock();
  const status = await computeStatusAsOf(ctx, scope, { asOf: now, recordedBy: now, userIds: members.map((m) => m.userId), current: true });
  return status.people.filter((p) => p.status === 'active' && statuses.some((s) => matchesReminderStatus(p, s))).map((p) => p.userId);
}
