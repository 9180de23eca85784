import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditEventTable, auditPersonalTable, courseCompletionTable, quizAttemptTable, quizResponseTable } from '../../db/schema/index.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../src/lib/server/errors/domain-errors.ts';
import { assignPath } from '../../src/lib/server/learning/assign-path.ts';
import { getLearningOverview } from '../../src/lib/server/learning/get-learning-overview.ts';
import { type Learner, learnerOf } from '../../src/lib/server/learning/learner.ts';
import { completeLesson, visitLesson } from '../../src/lib/server/learning/lesson-progress.ts';
import { resolvePath } from '../../src/lib/server/learning/resolve-path.ts';
import type { AttemptLayout } from '../../src/lib/server/quizzes/draw-attempt.ts';
import { gradePublicResponse } from '../../src/lib/server/quizzes/grade-attempt.ts';
import { type AttemptRow, answerItem, startAttempt, submitAttempt } from '../../src/lib/server/quizzes/quiz-attempts.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.cleanup());

async function newLearner(jobRole: 'sachbearbeitung' | 'fuehrungskraft' = 'sachbearbeitung', tenantSlug?: string): Promise<Learner> {
  const slug = tenantSlug ?? (await makeTenant(t.db)).slug;
  return learnerOf(await makeUser(t.db, { tenant: slug, jobRole }));
}

/** The correct answer of a drawn item in the attempt's public ids. */
function correct(attempt: AttemptRow, itemId: string): unknown {
  const item = content.quizzes.get('probe-quiz')?.quiz.items.find((i) => i.id === itemId);
  if (!item) throw new Error(itemId);
  return gradePublicResponse(item, attempt.layout as AttemptLayout, undefined).solution;
}

async function readAllLessons(l: Learner): Promise<void> {
  for (const lesson of ['lektion-1', 'lektion-2']) await completeLesson(t.db, l, content, 'probe-kurs', lesson);
}

describe('resolvePath', () => {
  test('returns the job-role default, then an org unit assignment, then a personal one', async () => {
    const tenant = await makeTenant(t.db);
    const admin = await makeUser(t.db, { tenant: tenant.slug, roles: ['admin'] });
    const user = await makeUser(t.db, { tenant: tenant.slug, jobRole: 'sachbearbeitung', orgUnitId: tenant.orgUnitIds.get('A') });
    const learner = learnerOf(user);
    expect((await resolvePath(t.db, learner, content))?.path.id).toBe('standard');
    await assignPath(t.db, tenant.id, admin.id, content, { pathId: 'fuehrung', orgUnitId: tenant.orgUnitIds.get('A') });
    expect(await resolvePath(t.db, learner, content)).toMatchObject({ path: { id: 'fuehrung' }, source: 'org-unit' });
    await assignPath(t.db, tenant.id, admin.id, content, { pathId: 'standard', email: user.email, dueOn: '2027-03-31' });
    const personal = await resolvePath(t.db, learner, content);
    expect(personal).toMatchObject({ path: { id: 'standard' }, source: 'person' });
    // end of that day in Berlin (summer time: UTC+2)
    expect(personal?.dueAt.toISOString()).toBe('2027-03-31T21:59:59.000Z');
  });

  test('returns the assignment of the nearest parent org unit for a person in a nested unit', async () => {
    const { ensureTenant } = await import('../../src/lib/server/tenancy/create-tenant.ts');
    const slug = `lk-baum-${Date.now()}`;
    const tree = await ensureTenant(t.db, { slug, name: 'Landkreis Baum' }, [
      { code: 'LR', name: 'Landrat' },
      { code: 'FB', name: 'Fachbereich', parentCode: 'LR' },
      { code: 'AMT', name: 'Amt', parentCode: 'FB' },
    ]);
    const admin = await makeUser(t.db, { tenant: slug, roles: ['admin'] });
    const user = await makeUser(t.db, { tenant: slug, jobRole: 'sachbearbeitung', orgUnitId: tree.orgUnitIds.get('AMT') });
    const learner = learnerOf(user);
    await assignPath(t.db, tree.id, admin.id, content, { pathId: 'fuehrung', orgUnitId: tree.orgUnitIds.get('LR') });
    expect(await resolvePath(t.db, learner, content)).toMatchObject({ path: { id: 'fuehrung' }, source: 'org-unit' });
    await assignPath(t.db, tree.id, admin.id, content, { pathId: 'standard', orgUnitId: tree.orgUnitIds.get('FB') });
    expect(await resolvePath(t.db, learner, content)).toMatchObject({ path: { id: 'standard' }, source: 'org-unit' });
  });

  test('rejects an assignment to a person or org unit of another tenant', async () => {
    const a = await makeTenant(t.db);
    const b = await makeTenant(t.db);
    const adminA = await makeUser(t.db, { tenant: a.slug, roles: ['admin'] });
    const userB = await makeUser(t.db, { tenant: b.slug });
    await expect(assignPath(t.db, a.id, adminA.id, content, { pathId: 'standard', userId: userB.id })).rejects.toThrow(NotFoundError);
    await expect(assignPath(t.db, a.id, adminA.id, content, { pathId: 'standard', email: userB.email })).rejects.toThrow(NotFoundError);
    await expect(assignPath(t.db, a.id, adminA.id, content, { pathId: 'standard', orgUnitId: b.orgUnitIds.get('A') })).rejects.toThrow(
      NotFoundError,
    );
    await expect(assignPath(t.db, a.id, adminA.id, content, { pathId: 'gibt-es-nicht', userId: adminA.id })).rejects.toThrow(
      ValidationError,
    );
  });
});

describe('completeLesson', () => {
  test('keeps the first completion time and completes a course without quiz after its last lesson, once', async () => {
    const l = await newLearner('fuehrungskraft');
    await visitLesson(t.db, l, content, 'ohne-quiz', 'einzige');
    const first = await completeLesson(t.db, l, content, 'ohne-quiz', 'einzige', new Date('2026-05-01T10:00:00Z'));
    const again = await completeLesson(t.db, l, content, 'ohne-quiz', 'einzige', new Date('2026-05-02T10:00:00Z'));
    expect(first.courseCompleted).toBe(true);
    expect(again.courseCompleted).toBe(false);
    const completions = await t.db.select().from(courseCompletionTable).where(eq(courseCompletionTable.userId, l.userId));
    expect(completions).toHaveLength(1);
    expect(completions[0]?.courseVersion).toBe(content.courses.get('ohne-quiz')?.version);
  });

  test('rejects an unknown lesson', async () => {
    const l = await newLearner();
    await expect(completeLesson(t.db, l, content, 'probe-kurs', 'gibt-es-nicht')).rejects.toThrow(NotFoundError);
  });
});

describe('quiz attempts', () => {
  test('returns the same open attempt on start, grades each answer with feedback and completes the course on pass', async () => {
    const l = await newLearner();
    await readAllLessons(l);
    const attempt = await startAttempt(t.db, l, content, 'probe-kurs');
    expect((await startAttempt(t.db, l, content, 'probe-kurs')).id).toBe(attempt.id);
    const layout = attempt.layout as AttemptLayout;
    expect(layout.itemIds).toHaveLength(4);
    let last: Awaited<ReturnType<typeof answerItem>> | undefined;
    for (const itemId of layout.itemIds) {
      last = await answerItem(t.db, l, content, attempt.id, itemId, correct(attempt, itemId));
      expect(last.grade.score).toBe(1);
      expect(last.grade.explanation.length).toBeGreaterThan(10);
    }
    expect(last?.submitted?.grade.passed).toBe(true);
    expect(last?.submitted?.courseCompleted).toBe(true);
    const overview = await getLearningOverview(t.db, l, content);
    expect(overview.courses.find((c) => c.id === 'probe-kurs')?.state).toBe('completed');
    expect(overview.pathState).toBe('completed');
    // the person is in the erasable personal part (audit chain v2), not in the entry itself
    const events = await t.db
      .select({ type: auditEventTable.type })
      .from(auditEventTable)
      .innerJoin(auditPersonalTable, eq(auditPersonalTable.seq, auditEventTable.seq))
      .where(eq(auditPersonalTable.personId, l.userId));
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['lesson.completed', 'quiz.submitted', 'course.completed']));
  });

  test('rejects a second answer to the same item (first wins), unknown items and tampered option ids with nothing stored', async () => {
    const l = await newLearner();
    const attempt = await startAttempt(t.db, l, content, 'probe-kurs');
    const [first] = (attempt.layout as AttemptLayout).itemIds as [string];
    await answerItem(t.db, l, content, attempt.id, first, correct(attempt, first));
    await expect(answerItem(t.db, l, content, attempt.id, first, correct(attempt, first))).rejects.toThrow(ConflictError);
    await expect(answerItem(t.db, l, content, attempt.id, 'gibt-es-nicht', { type: 'single', optionId: 'o1' })).rejects.toThrow(
      ValidationError,
    );
    const second = (attempt.layout as AttemptLayout).itemIds[1] as string;
    await expect(answerItem(t.db, l, content, attempt.id, second, { type: 'single', optionId: 'o99' })).rejects.toThrow(ValidationError);
    await expect(answerItem(t.db, l, content, attempt.id, second, { type: 'multiple', optionIds: ['x'], extra: 1 })).rejects.toThrow(
      ValidationError,
    );
    const stored = await t.db.select().from(quizResponseTable).where(eq(quizResponseTable.attemptId, attempt.id));
    expect(stored.map((r) => r.itemId)).toEqual([first]);
  });

  test("returns not found for someone else's attempt, also in the same tenant, and for a tampered attempt id", async () => {
    const owner = await newLearner();
    const attempt = await startAttempt(t.db, owner, content, 'probe-kurs');
    const colleague = await newLearner(
      'sachbearbeitung',
      (await t.db.query.tenantTable.findFirst({ where: (x, { eq: e }) => e(x.id, owner.tenantId) }))?.slug,
    );
    const stranger = await newLearner();
    const itemId = (attempt.layout as AttemptLayout).itemIds[0] as string;
    for (const other of [colleague, stranger]) {
      await expect(answerItem(t.db, other, content, attempt.id, itemId, correct(attempt, itemId))).rejects.toThrow(NotFoundError);
      await expect(submitAttempt(t.db, other, content, attempt.id)).rejects.toThrow(NotFoundError);
    }
    const tampered = `${attempt.id.slice(0, -1)}${attempt.id.endsWith('0') ? '1' : '0'}`;
    await expect(submitAttempt(t.db, owner, content, tampered)).rejects.toThrow(NotFoundError);
    // a preloaded row of someone else's attempt does not bypass the ownership check
    await expect(answerItem(t.db, stranger, content, attempt.id, itemId, correct(attempt, itemId), new Date(), attempt)).rejects.toThrow(
      NotFoundError,
    );
  });

  test('submits idempotently: the second submit stores nothing and reports alreadySubmitted', async () => {
    const l = await newLearner();
    const attempt = await startAttempt(t.db, l, content, 'probe-kurs');
    const [a, b] = await Promise.all([submitAttempt(t.db, l, content, attempt.id), submitAttempt(t.db, l, content, attempt.id)]);
    expect([a.alreadySubmitted, b.alreadySubmitted].sort()).toEqual([false, true]);
    const events = await t.db
      .select()
      .from(auditEventTable)
      .innerJoin(auditPersonalTable, eq(auditPersonalTable.seq, auditEventTable.seq))
      .where(and(eq(auditPersonalTable.personId, l.userId), eq(auditEventTable.type, 'quiz.submitted')));
    expect(events).toHaveLength(1);
    await expect(
      answerItem(t.db, l, content, attempt.id, (attempt.layout as AttemptLayout).itemIds[0] as string, { type: 'truefalse', value: true }),
    ).rejects.toThrow(ConflictError);
  });

  test('rejects answers after the time limit and allows a new attempt', async () => {
    const l = await newLearner();
    const start = new Date('2026-06-01T08:00:00Z');
    const attempt = await startAttempt(t.db, l, content, 'probe-kurs', start);
    const late = new Date(start.getTime() + 121 * 60_000);
    const itemId = (attempt.layout as AttemptLayout).itemIds[0] as string;
    await expect(answerItem(t.db, l, content, attempt.id, itemId, correct(attempt, itemId), late)).rejects.toThrow(/abgelaufen/);
    await expect(submitAttempt(t.db, l, content, attempt.id, undefined, late)).rejects.toThrow(ConflictError);
    expect((await startAttempt(t.db, l, content, 'probe-kurs', late)).id).not.toBe(attempt.id);
  });

  test('enforces the wait time after a failed attempt and the attempt limit', async () => {
    const l = await newLearner();
    let now = new Date('2026-07-01T08:00:00Z');
    for (let i = 0; i < 3; i++) {
      const attempt = await startAttempt(t.db, l, content, 'probe-kurs', now);
      const result = await submitAttempt(t.db, l, content, attempt.id, undefined, now);
      expect(result.grade.passed).toBe(false);
      if (i < 2) {
        await expect(startAttempt(t.db, l, content, 'probe-kurs', new Date(now.getTime() + 5 * 60_000))).rejects.toThrow(
          /neuer Versuch ist ab/,
        );
        now = new Date(now.getTime() + 11 * 60_000);
      }
    }
    await expect(startAttempt(t.db, l, content, 'probe-kurs', new Date(now.getTime() + 60 * 60_000))).rejects.toThrow(/alle 3 Versuche/);
    const attempts = await t.db.select().from(quizAttemptTable).where(eq(quizAttemptTable.userId, l.userId));
    expect(attempts).toHaveLength(3);
  });

  test('stores nothing when one answer of an all-at-once submission is invalid', async () => {
    const l = await newLearner();
    const attempt = await startAttempt(t.db, l, content, 'probe-kurs');
    const ids = (attempt.layout as AttemptLayout).itemIds;
    const responses = Object.fromEntries(ids.map((id) => [id, correct(attempt, id)]));
    responses[ids[3] as string] = { type: 'single', optionId: 'o42' };
    await expect(submitAttempt(t.db, l, content, attempt.id, responses)).rejects.toThrow(ValidationError);
    expect(await t.db.select().from(quizResponseTable).where(eq(quizResponseTable.attemptId, attempt.id))).toEqual([]);
    responses[ids[3] as string] = correct(attempt, ids[3] as string);
    expect((await submitAttempt(t.db, l, content, attempt.id, responses)).grade.percent).toBe(100);
  });
});

describe('getLearningOverview', () => {
  test('returns overdue after the due date and a refresher due after the interval', async () => {
    const l = await newLearner('fuehrungskraft');
    const created = new Date();
    const late = new Date(created.getTime() + 61 * 86_400_000);
    expect((await getLearningOverview(t.db, l, content, late)).pathState).toBe('overdue');
    await completeLesson(t.db, l, content, 'ohne-quiz', 'einzige', created);
    const later = new Date(created.getTime() + 25 * 30 * 86_400_000);
    const course = (await getLearningOverview(t.db, l, content, later)).courses.find((c) => c.id === 'ohne-quiz');
    expect(course?.state).toBe('completed');
    expect(course?.refresherOverdue).toBe(true);
  });
});
