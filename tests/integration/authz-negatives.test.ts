/**
 * Negative authorization cases for every context verb: another district, another role, an org unit outside a scoped
 * grant, another person's record and tampered ids all end in Forbidden or a NotFound that reveals nothing.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { userRoleTable } from '../../db/schema/index.ts';
import { type Ctx, personContext, systemContext } from '../../src/lib/server/context.ts';
import { ForbiddenError, NotFoundError } from '../../src/lib/server/errors/domain-errors.ts';
import { getStatusAsOf } from '../../src/lib/server/evidence/status-as-of.ts';
import { assignPath, listPathAssignments, removePathAssignment } from '../../src/lib/server/learning/assign-path.ts';
import { getLearningHistory, listOwnAttempts } from '../../src/lib/server/learning/get-history.ts';
import { getLearningOverview } from '../../src/lib/server/learning/get-learning-overview.ts';
import { completeLesson, getLessonProgress, visitLesson } from '../../src/lib/server/learning/lesson-progress.ts';
import { getAttemptView } from '../../src/lib/server/quizzes/attempt-view.ts';
import { answerItem, startAttempt, submitAttempt } from '../../src/lib/server/quizzes/quiz-attempts.ts';
import { listOrgUnits } from '../../src/lib/server/tenancy/list-org-units.ts';
import { changeMembership } from '../../src/lib/server/users/change-membership.ts';
import { erasePerson } from '../../src/lib/server/users/erase-person.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
let t: TestDb;
let home: Awaited<ReturnType<typeof makeTenant>>;
let learner: AuthUser;
let colleague: AuthUser;
let outsideB: AuthUser;
let foreignAdmin: AuthUser;
let scopedAdmin: AuthUser;
let operator: AuthUser;
let attemptId: string;
let assignmentId: string;
const as = (u: AuthUser): Ctx => personContext(t.db, u, content);

beforeAll(async () => {
  t = await createTestDb();
  home = await makeTenant(t.db);
  const other = await makeTenant(t.db);
  learner = await makeUser(t.db, { tenant: home.slug, orgUnitId: home.orgUnitIds.get('A') });
  colleague = await makeUser(t.db, { tenant: home.slug, orgUnitId: home.orgUnitIds.get('A') });
  outsideB = await makeUser(t.db, { tenant: home.slug, orgUnitId: home.orgUnitIds.get('B') });
  foreignAdmin = await makeUser(t.db, { tenant: other.slug, roles: ['admin', 'hr'] });
  scopedAdmin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
  await t.db
    .update(userRoleTable)
    .set({ scopeOrgUnitId: home.orgUnitIds.get('A') })
    .where(eq(userRoleTable.userId, scopedAdmin.id));
  operator = await makeUser(t.db, { roles: ['operator'] });
  attemptId = (await startAttempt(as(learner), 'probe-kurs')).id;
  const admin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
  assignmentId = (await assignPath(as(admin), { pathId: 'fuehrung', userId: outsideB.id })).id;
});
afterAll(() => t.cleanup());

const tampered = (id: string): string => `${id.slice(0, -1)}${id.endsWith('0') ? '1' : '0'}`;

describe('learner verbs', () => {
  test('refuse another person’s attempt and a tampered attempt id with NotFound', async () => {
    for (const id of [attemptId, tampered(attemptId)]) {
      await expect(getAttemptView(as(colleague), 'probe-kurs', id, null)).rejects.toBeInstanceOf(NotFoundError);
      await expect(answerItem(as(colleague), id, 'f-single', { type: 'single', optionId: 'o1' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(submitAttempt(as(colleague), id)).rejects.toBeInstanceOf(NotFoundError);
    }
    await expect(submitAttempt(as(foreignAdmin), attemptId)).rejects.toBeInstanceOf(NotFoundError);
  });

  test('refuse the platform operator, who has no learning record', async () => {
    const op = as(operator);
    for (const call of [
      () => visitLesson(op, 'probe-kurs', 'lektion-1'),
      () => completeLesson(op, 'probe-kurs', 'lektion-1'),
      () => getLessonProgress(op, 'probe-kurs'),
      () => getLearningOverview(op),
      () => startAttempt(op, 'probe-kurs'),
      () => getLearningHistory(op),
      () => listOwnAttempts(op, 'probe-kurs'),
    ])
      await expect(call()).rejects.toBeInstanceOf(ForbiddenError);
  });

  test('show a learner only their own record', async () => {
    const history = await getLearningHistory(as(colleague));
    expect(history.entries.some((e) => e.ref === attemptId)).toBe(false);
    expect(await listOwnAttempts(as(colleague), 'probe-kurs')).toEqual([]);
  });
});

describe('admin and HR verbs', () => {
  test('refuse a learner with Forbidden', async () => {
    await expect(assignPath(as(learner), { pathId: 'standard', userId: colleague.id })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(removePathAssignment(as(learner), assignmentId)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(listPathAssignments(as(learner))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(listOrgUnits(as(learner))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(changeMembership(as(learner), { userId: colleague.id, jobRole: 'fuehrungskraft' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(erasePerson(as(learner), colleague.id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(getStatusAsOf(as(learner), { asOf: new Date() })).rejects.toBeInstanceOf(ForbiddenError);
  });

  test('answer another district’s admin with NotFound and show them nothing of this district', async () => {
    const f = as(foreignAdmin);
    await expect(assignPath(f, { pathId: 'standard', userId: learner.id })).rejects.toBeInstanceOf(NotFoundError);
    await expect(assignPath(f, { pathId: 'standard', orgUnitId: home.orgUnitIds.get('A') })).rejects.toBeInstanceOf(NotFoundError);
    await expect(removePathAssignment(f, assignmentId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(changeMembership(f, { userId: learner.id, jobRole: 'fuehrungskraft' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(erasePerson(f, learner.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await listPathAssignments(f)).some((a) => a.id === assignmentId)).toBe(false);
    expect((await listOrgUnits(f)).some((u) => u.id === home.orgUnitIds.get('A'))).toBe(false);
    expect((await getStatusAsOf(f, { asOf: new Date() })).people.some((p) => p.userId === learner.id)).toBe(false);
  });

  test('limit an admin grant scoped to org unit A to A', async () => {
    const s = as(scopedAdmin);
    expect((await listOrgUnits(s)).map((u) => u.id)).toEqual([home.orgUnitIds.get('A')]);
    await expect(assignPath(s, { pathId: 'standard', userId: outsideB.id })).rejects.toBeInstanceOf(NotFoundError);
    await expect(assignPath(s, { pathId: 'standard', orgUnitId: home.orgUnitIds.get('B') })).rejects.toBeInstanceOf(NotFoundError);
    await expect(removePathAssignment(s, assignmentId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(changeMembership(s, { userId: outsideB.id, jobRole: 'fuehrungskraft' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(changeMembership(s, { userId: colleague.id, orgUnitId: home.orgUnitIds.get('B') })).rejects.toBeInstanceOf(NotFoundError);
    await expect(erasePerson(s, outsideB.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(assignPath(s, { pathId: 'standard', userId: colleague.id })).resolves.toMatchObject({ id: expect.any(String) });
  });

  test('refuse a CLI actor without a district, and keep a CLI actor inside the district it was started for', async () => {
    await expect(listOrgUnits(systemContext(t.db, content))).rejects.toBeInstanceOf(ForbiddenError);
    const cli = systemContext(t.db, content, { tenantId: home.id, name: 'test' });
    expect((await listOrgUnits(cli)).length).toBe(2);
    await expect(changeMembership(cli, { userId: foreignAdmin.id, jobRole: 'fuehrungskraft' })).rejects.toBeInstanceOf(NotFoundError);
  });
});
