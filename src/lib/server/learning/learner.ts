/** The learner a learning verb acts for: always the signed-in person, inside their own tenant. */
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { ForbiddenError } from '../errors/domain-errors.ts';
import type { AuthUser } from '../users/get-auth-user.ts';

export interface Learner {
  userId: string;
  tenantId: string;
  jobRole: string;
  orgUnitId: string | null;
  /** When the account was created: the start of the job-role default path's due period. */
  since?: Date;
}

export function learnerOf(user: AuthUser): Learner {
  if (!user.tenant) throw new ForbiddenError();
  return { userId: user.id, tenantId: user.tenant.id, jobRole: user.jobRole, orgUnitId: user.orgUnitId, since: user.createdAt };
}

/** Asks the authorization module for `learning.own` and returns the actor as learner (their own record only). */
export async function authorizeLearner(ctx: Ctx): Promise<Learner> {
  await authorize(ctx, 'learning.own');
  if (ctx.actor.kind !== 'person') throw new ForbiddenError();
  return learnerOf(ctx.actor.user);
}
