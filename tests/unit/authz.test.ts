import { describe, expect, test } from 'vitest';
import { type Action, can, homePathFor, requirePermission } from '../../src/lib/server/authz/can.ts';
import { ForbiddenError } from '../../src/lib/server/errors/domain-errors.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';

const tenantA = { id: 'tenant-a', slug: 'a', name: 'Landkreis A' };
const person = (roles: AuthUser['roles'], tenant: AuthUser['tenant'] = tenantA): AuthUser => ({
  id: `u-${roles.join('-')}`,
  email: 'x@example.org',
  name: 'X',
  jobRole: 'sachbearbeitung',
  orgUnitId: null,
  createdAt: new Date('2026-01-01'),
  roles,
  tenant,
});

describe('can', () => {
  const matrix: Array<[AuthUser['roles'], Action, boolean]> = [
    [['learner'], 'learning.own', true],
    [['learner'], 'cohort.view', false],
    [['learner'], 'hr.view', false],
    [['learner'], 'tenant.admin', false],
    [['multiplier'], 'cohort.view', true],
    [['multiplier'], 'hr.view', false],
    [['hr'], 'hr.view', true],
    [['hr'], 'tenant.admin', false],
    [['admin'], 'tenant.admin', true],
    [['admin'], 'platform.operate', false],
  ];
  test.each(matrix)('returns the role grant for %j doing %s', (roles, action, expected) => {
    expect(can(person(roles), action, { tenantId: 'tenant-a' })).toBe(expected);
  });
  test('returns false for every action on another tenant', () => {
    for (const roles of [['learner'], ['multiplier'], ['hr'], ['admin']] as AuthUser['roles'][])
      for (const action of ['learning.own', 'cohort.view', 'hr.view', 'tenant.admin', 'certificate.manage'] as Action[])
        expect(can(person(roles), action, { tenantId: 'tenant-b' })).toBe(false);
  });
  test('returns false for the operator on any tenant data and true only for platform operation', () => {
    const op = person(['operator'], null);
    expect(can(op, 'platform.operate')).toBe(true);
    for (const action of ['learning.own', 'cohort.view', 'hr.view', 'tenant.admin'] as Action[])
      expect(can(op, action, { tenantId: 'tenant-a' })).toBe(false);
  });
  test('returns false for anonymous users', () => {
    expect(can(null, 'learning.own')).toBe(false);
  });
});

describe('requirePermission', () => {
  test('throws ForbiddenError when not allowed', () => {
    expect(() => requirePermission(person(['learner']), 'tenant.admin')).toThrow(ForbiddenError);
    expect(() => requirePermission(person(['admin']), 'tenant.admin', { tenantId: 'tenant-a' })).not.toThrow();
  });
});

describe('homePathFor', () => {
  test('returns the start page of the most privileged role', () => {
    expect(homePathFor(person(['learner']))).toBe('/lernen');
    expect(homePathFor(person(['learner', 'multiplier']))).toBe('/multiplikator');
    expect(homePathFor(person(['learner', 'hr']))).toBe('/personal');
    expect(homePathFor(person(['learner', 'admin']))).toBe('/verwaltung');
    expect(homePathFor(person(['operator'], null))).toBe('/betrieb');
  });
});
