/** The learner a learning verb acts for: always a person inside one tenant. */
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
