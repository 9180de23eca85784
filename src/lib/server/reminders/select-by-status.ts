/**
 * People of a district by reminder status, read from the one status rule (getStatusAsOf): `not-started` (a required
 * course not begun), `overdue` (path overdue or a required course overdue), `refresher-due` (a refresher due or
 * expired). Used by `kiko reminders send`.
 */
import type { Ctx } from '../context.ts';
import { getStatusAsOf } from '../evidence/status-as-of.ts';

export const REMINDER_STATUSES = ['not-started', 'overdue', 'refresher-due'] as const;
export type ReminderStatus = (typeof REMINDER_STATUSES)[number];

export async function selectPeopleByStatus(ctx: Ctx, statuses: readonly ReminderStatus[]): Promise<string[]> {
  const all = await getStatusAsOf(ctx, {});
  return all.people
    .filter((p) => p.status === 'active')
    .filter((p) =>
      statuses.some((s) => {
        const required = p.courses.filter((c) => c.required);
        if (s === 'not-started') return required.some((c) => c.state === 'not-started');
        if (s === 'overdue') return p.path?.state === 'overdue' || required.some((c) => c.state === 'overdue');
        return required.some((c) => c.state === 'refresher-due' || c.state === 'expired');
      }),
    )
    .map((p) => p.userId);
}
