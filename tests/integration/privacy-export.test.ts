/** A person's own data (GDPR Art. 15/20): everything about them, nothing about anyone else, no secrets. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Ctx, personContext } from '../../src/lib/server/context.ts';
import { ForbiddenError } from '../../src/lib/server/errors/domain-errors.ts';
import { completeLesson, visitLesson } from '../../src/lib/server/learning/lesson-progress.ts';
import { exportOwnData } from '../../src/lib/server/privacy/export-own-data.ts';
import { startAttempt } from '../../src/lib/server/quizzes/quiz-attempts.ts';
import { changeMembership } from '../../src/lib/server/users/change-membership.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
let t: TestDb;
let me: AuthUser;
let colleague: AuthUser;
let operator: AuthUser;
const as = (u: AuthUser): Ctx => personContext(t.db, u, content);

beforeAll(async () => {
  t = await createTestDb();
  const home = await makeTenant(t.db);
  me = await makeUser(t.db, { tenant: home.slug, name: 'Ich Selbst', orgUnitId: home.orgUnitIds.get('A') });
  colleague = await makeUser(t.db, { tenant: home.slug, name: 'Kollegin Anders' });
  const admin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
  operator = await makeUser(t.db, { roles: ['operator'] });
  await visitLesson(as(me), 'probe-kurs', 'lektion-1');
  await completeLesson(as(me), 'probe-kurs', 'lektion-1');
  await startAttempt(as(me), 'probe-kurs');
  await visitLesson(as(colleague), 'probe-kurs', 'lektion-1');
  await changeMembership(as(admin), { userId: me.id, orgUnitId: home.orgUnitIds.get('B') });
});
afterAll(() => t.cleanup());

describe('exportOwnData', () => {
  test('holds profile, status, record, progress, attempts and audit entries about the person', async () => {
    const d = await exportOwnData(as(me));
    expect(d.profile).toMatchObject({ id: me.id, name: 'Ich Selbst', email: me.email, orgUnit: { code: 'B' } });
    expect(d.status?.courses.find((c) => c.courseId === 'probe-kurs')?.lessonsDone).toBe(1);
    expect(d.learningRecord.map((f) => f.type)).toEqual(expect.arrayContaining(['membership.changed', 'lesson.completed', 'quiz.started']));
    expect(d.lessonProgress).toHaveLength(1);
    expect(d.quizAttempts).toHaveLength(1);
    expect(d.auditEntries.map((e) => e.type)).toEqual(expect.arrayContaining(['user.created', 'user.membership-changed']));
  });

  test('contains nothing about colleagues and no secrets', async () => {
    const text = JSON.stringify(await exportOwnData(as(me)));
    expect(text).not.toContain(colleague.id);
    expect(text).not.toContain('Kollegin Anders');
    expect(text).not.toMatch(/argon2|secret_?hash|password|salt/i);
  });

  test('is refused for a platform operator (no district, no learning data)', async () => {
    await expect(exportOwnData(as(operator))).rejects.toThrow(ForbiddenError);
  });
});
