/**
 * Who may plan and record a cohort's in-person sessions: the multipliers who lead the cohort (`cohort.view`, scoped
 * to their cohorts) and the district's administration (`tenant.admin`, any cohort of the district). Another
 * district's or another multiplier's cohort or session, or an unknown id: NotFound, with nothing revealed.
 */
import { and, eq } from 'drizzle-orm';
import { trainingSessionTable } from '../../../../db/schema/index.ts';
import { authorize, type Scope } from '../authz/authorize.ts';
import { can } from '../authz/can.ts';
import { type Cohort, requireCohortIn } from '../cohorts/cohort-members.ts';
import { actorTenantId, type Ctx } from '../context.ts';
import { NotFoundError } from '../errors/domain-errors.ts';

export type TrainingSession = typeof trainingSessionTable.$inferSelect;

/** The cohort with the scope to work in it (a multiplier's own, else the admin's). */
export async function authorizeCohortWork(ctx: Ctx, cohortId: string): Promise<{ scope: Scope; cohort: Cohort }> {
  const user = ctx.actor.kind === 'person' ? ctx.actor.user : null;
  const asMultiplier = user ? can(user, 'cohort.view') : false;
  const asAdmin = user ? can(user, 'tenant.admin') : true;
  if (asMultiplier) {
    try {
      const scope = await authorize(ctx, 'cohort.view', { cohortId });
      return { scope, cohort: await requireCohortIn(ctx, scope, cohortId) };
    } catch (e) {
      if (!(e instanceof NotFoundError) || !asAdmin) throw e;
    }
  }
  const scope = await authorize(ctx, 'tenant.admin', { cohortId });
  return { scope, cohort: await requireCohortIn(ctx, scope, cohortId) };
}

/** A session of the actor's district that the actor may work on, with its cohort. */
export async function requireSession(ctx: Ctx, sessionId: string): Promise<{ scope: Scope; cohort: Cohort; session: TrainingSession }> {
  const tenantId = actorTenantId(ctx.actor);
  if (!tenantId || !/^[0-9A-Za-z-]{1,64}$/.test(sessionId)) throw new NotFoundError('Diesen Termin gibt es nicht.');
  const [session] = await ctx.db
    .select()
    .from(trainingSessionTable)
    .where(and(eq(trainingSessionTable.id, sessionId), eq(trainingSessionTable.tenantId, tenantId)));
  if (!session) throw new NotFoundError('Diesen Termin gibt es nicht.');
  try {
    const { scope, cohort } = await authorizeCohortWork(ctx, session.cohortId);
    return { scope, cohort, session };
  } catch (e) {
    if (e instanceof NotFoundError) throw new NotFoundError('Diesen Termin gibt es nicht.');
    throw e;
  }
}
