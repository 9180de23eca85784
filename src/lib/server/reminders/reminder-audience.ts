/**
 * Who may remind whom. The first step of every reminder verb: `authorize` with the sender's action, then every
 * chosen person must lie in its scope — HR and admins: their district and org subtree; the CLI (system actor): the
 * district; multipliers: the current members of the cohorts they lead (cohort-can-remind.ts, or a `canRemind`
 * function the caller passes). A single id outside the scope refuses the whole request as "not found", without
 * saying which.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { userTable } from '../../../../db/schema/index.ts';
import { authorize, inScope, type Scope } from '../authz/authorize.ts';
import { type Action, can } from '../authz/can.ts';
import type { Ctx } from '../context.ts';
import { NotFoundError, ValidationError } from '../errors/domain-errors.ts';
import { cohortCanRemind } from './cohort-can-remind.ts';

/** People of `userIds` the multiplier may remind (members of the cohorts in `scope.cohortIds`). */
export type CanRemind = (ctx: Ctx, scope: Scope, userIds: readonly string[]) => Promise<ReadonlySet<string>>;

/** At most this many people per send. */
export const MAX_RECIPIENTS = 5_000;

export interface Recipient {
  id: string;
  name: string;
  email: string;
  orgUnitId: string | null;
}

/** The action a sender acts under: HR, else admin, else multiplier; the CLI as HR of its district. */
export function reminderAction(ctx: Ctx): Action {
  if (ctx.actor.kind !== 'person') return 'hr.view';
  const user = ctx.actor.user;
  if (can(user, 'hr.view')) return 'hr.view';
  if (can(user, 'tenant.admin')) return 'tenant.admin';
  return 'cohort.view';
}

/**
 * Authorizes the sender (`as`: the grant they send under, default reminderAction — a cohort's page passes
 * `cohort.view`, so the cohort check applies also to a multiplier who is HR or admin too) and every chosen person.
 */
export async function authorizeReminderAudience(
  ctx: Ctx,
  userIds: readonly string[],
  canRemind?: CanRemind,
  as: Action = reminderAction(ctx),
): Promise<{ scope: Scope; people: Recipient[] }> {
  const scope = await authorize(ctx, as);
  const ids = [...new Set(userIds)];
  if (ids.length === 0) throw new ValidationError('Bitte mindestens eine Person auswählen.');
  if (ids.length > MAX_RECIPIENTS) throw new ValidationError(`Bitte höchstens ${MAX_RECIPIENTS} Personen auf einmal erinnern.`);
  if (ids.some((id) => typeof id !== 'string' || id.length > 100)) throw new NotFoundError('Nicht gefunden.');
  if (scope.action === 'cohort.view') {
    const allowed = await (canRemind ?? cohortCanRemind)(ctx, scope, ids);
    if (ids.some((id) => !allowed.has(id))) throw new NotFoundError('Nicht gefunden.');
  }
  const people: Recipient[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    people.push(
      ...(await ctx.db
        .select({ id: userTable.id, name: userTable.name, email: userTable.email, orgUnitId: userTable.orgUnitId })
        .from(userTable)
        .where(and(eq(userTable.tenantId, scope.tenantId as string), eq(userTable.status, 'active'), inArray(userTable.id, chunk)))),
    );
  }
  if (people.length !== ids.length || people.some((p) => !inScope(scope, p.orgUnitId))) throw new NotFoundError('Nicht gefunden.');
  return { scope, people };
}
