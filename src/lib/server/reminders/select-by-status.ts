/**
 * People of a district by reminder status, read from the one status rule (getStatusAsOf / computeStatusAsOf, never
 * recomputed): `not-started` (a required course not begun), `overdue` (path or a required course overdue),
 * `refresher-due` (a refresher due or expired). Used by `kiko reminders send` and the admin's reminder page; the
 * people are those of the sender's scope. A multiplier's cohort: select-cohort-by-status.ts.
 */
import { authorize, inScope } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { computeStatusAsOf, getStatusAsOf, type PersonStatus } from '../evidence/status-as-of.ts';
import { reminderAction } from './reminder-audience.ts';

export const REMINDER_STATUSES = ['not-started', 'overdue', 'refresher-due'] as const;
export type ReminderStatus = (typeof REMINDER_STATUSES)[number];

export const reminderStatusLabel: Record<ReminderStatus, string> = {
  'not-started': 'noch nicht begonnen',
  overdue: 'überfällig',
  'refresher-due': 'Auffrischung fällig',
};

/** Whether a person's status (from the one status rule) has the reminder status `s`. Pure. */
export function matchesReminderStatus(p: PersonStatus, s: ReminderStatus): boolean {
  const required = p.courses.filter((c) => c.required);
  if (s === 'not-started') return required.some((c) => c.state === 'not-started');
  if (s === 'overdue') return p.path?.state === 'overdue' || required.some((c) => c.state === 'overdue');
  return required.some((c) => c.state === 'refresher-due' || c.state === 'expired');
}

export async function selectPeopleByStatus(ctx: Ctx, statuses: readonly ReminderStatus[]): Promise<string[]> {
  const action = reminderAction(ctx);
  let people: PersonStatus[];
  if (action === 'hr.view') people = (await getStatusAsOf(ctx, {})).people;
  else {
    // district admins have no HR grant: the same rule, within the admin's scope
    const scope = await authorize(ctx, action);
    if (scope.cohortIds) return [];
    const now = ctx.clock();
    people = (await computeStatusAsOf(ctx, scope, { asOf: now, recordedBy: now, current: true })).people.filter((p) =>
      inScope(scope, p.orgUnitId),
    );
  }
  return people.filter((p) => p.status === 'active' && statuses.some((s) => matchesReminderStatus(p, s))).map((p) => p.userId);
}
