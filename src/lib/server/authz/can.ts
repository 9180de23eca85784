/**
 * KIKO's single authorization module: "may this user do X on Y". Every page, action, endpoint and
 * CLI command asks here. A tenant-scoped action is allowed only inside the user's own tenant; the
 * platform operator manages tenants but never sees their people's learning data.
 */
import type { UserRole } from '../../../../db/schema/index.ts';
import { ForbiddenError } from '../errors/domain-errors.ts';
import type { AuthUser } from '../users/get-auth-user.ts';

export type Action =
  /** learn: own learning path, lessons, quizzes, certificates */
  | 'learning.own'
  /** multiplier dashboards of the cohorts they lead, attendance, reminders */
  | 'cohort.view'
  /** HR: coverage, evidence exports, certificate lists */
  | 'hr.view'
  /** HR/admin: revoke and reissue certificates */
  | 'certificate.manage'
  /** district admin: users, org units, roles, assignments, settings */
  | 'tenant.admin'
  /** staff council (Personalrat): aggregate figures only, no person-level data */
  | 'council.view'
  /** platform operator: tenants of the installation */
  | 'platform.operate';

const grants: Record<UserRole, readonly Action[]> = {
  learner: ['learning.own'],
  multiplier: ['learning.own', 'cohort.view'],
  hr: ['learning.own', 'hr.view', 'certificate.manage'],
  admin: ['learning.own', 'tenant.admin', 'certificate.manage'],
  'staff-council': ['learning.own', 'council.view'],
  operator: ['platform.operate'],
};

/** The tenant a target belongs to; platform actions have none. */
export interface Target {
  tenantId: string;
}

export function can(user: AuthUser | null | undefined, action: Action, target?: Target): boolean {
  if (!user) return false;
  if (!user.roles.some((r) => grants[r].includes(action))) return false;
  if (action === 'platform.operate') return user.tenant === null;
  // every other action is tenant-scoped: the user's tenant must match the target's
  if (!user.tenant) return false;
  return target === undefined || target.tenantId === user.tenant.id;
}

/** Throws ForbiddenError unless `can` allows it. */
export function requirePermission(user: AuthUser | null | undefined, action: Action, target?: Target): asserts user is AuthUser {
  if (!can(user, action, target)) throw new ForbiddenError();
}

/** The tenant id of a tenant-scoped user; throws for operators. */
export function requireTenantId(user: AuthUser): string {
  if (!user.tenant) throw new ForbiddenError();
  return user.tenant.id;
}

/** Start page of the user's most privileged role. */
export function homePathFor(user: AuthUser): string {
  if (user.roles.includes('operator')) return '/betrieb';
  if (user.roles.includes('admin')) return '/verwaltung';
  if (user.roles.includes('hr')) return '/personal';
  if (user.roles.includes('multiplier')) return '/multiplikator';
  if (user.roles.includes('staff-council')) return '/personalrat';
  return '/lernen';
}
