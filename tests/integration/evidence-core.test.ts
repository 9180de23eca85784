import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  cohortRuleTable,
  cohortTable,
  courseCompletionTable,
  courseProgressTable,
  learningEventTable,
  lessonProgressTable,
  pathAssignmentTable,
  quizAttemptTable,
  userIdentityTable,
  userRoleTable,
  userTable,
} from '../../db/schema/index.ts';
import { authorize } from '../../src/lib/server/authz/authorize.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { type Ctx, personContext } from '../../src/lib/server/context.ts';
import { completeCourseWithAnswerKey } from '../../src/lib/server/demo/seed-demo-learning.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/lib/server/errors/domain-errors.ts';
import { archiveContent } from '../../src/lib/server/evidence/content-archive.ts';
import { projectionsFromRecord } from '../../src/lib/server/evidence/rebuild-projections.ts';
import { getStatusAsOf } from '../../src/lib/server/evidence/status-as-of.ts';
import { assignPath } from '../../src/lib/server/learning/assign-path.ts';
import { completeLesson } from '../../src/lib/server/learning/lesson-progress.ts';
import { startAttempt, submitAttempt } from '../../src/lib/server/quizzes/quiz-attempts.ts';
import { changeMembership } from '../../src/lib/server/users/change-membership.ts';
import { createUser } from '../../src/lib/server/users/create-user.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
const DAY = 86_400_000;
let t: TestDb;
let base: number;
let tenant: Awaited<ReturnType<typeof makeTenant>>;
let admin: AuthUser;
let hr: AuthUser;
let people: AuthUser[];

/** Rejects with a database error whose message (or cause) matches. */
async function refused(p: Promise<unknown>, re: RegExp): Promise<void> {
  const e = await p.then(
    () => null,
    (err: unknown) => err as Error & { cause?: Error },
  );
  expect(e).not.toBeNull();
  expect(`${e?.message} ${e?.cause?.message ?? ''}`).toMatch(re);
}

const at = (days: number): Date => new Date(base + days * DAY);
const as = (user: AuthUser, day: number, set = content): Ctx => personContext(t.db, user, set, () => at(day));

beforeAll(async () => {
  t = await createTestDb();
  configureCertificateIssuing({ keyDir: mkdtempSync(join(tmpdir(), 'kiko-keys-')) });
  base = Date.now() + 60_000;
  await archiveContent(t.db, content, new Date(base - 1000));
  tenant = await makeTenant(t.db);
  admin = await makeUser(t.db, { tenant: tenant.slug, roles: ['admin'] });
  hr = await makeUser(t.db, { tenant: tenant.slug, roles: ['hr'], orgUnitId: tenant.orgUnitIds.get('A') });
  people = [
    await makeUser(t.db, { tenant: tenant.slug, orgUnitId: tenant.orgUnitIds.get('A') }),
    await makeUser(t.db, { tenant: tenant.slug, orgUnitId: tenant.orgUnitIds.get('A') }),
    await makeUser(t.db, { tenant: tenant.slug, orgUnitId: tenant.orgUnitIds.get('B') }),
  ];
  await completeCourseWithAnswerKey(t.db, people[0] as AuthUser, content, 'probe-kurs', at(1));
  await completeLesson(as(people[1] as AuthUser, 1.5), 'probe-kurs', 'lektion-1');
});
afterAll(() => t.cleanup());

/** The figures a dashboard or export would print, as plain data. */
async function figures(ctxDay: number, asOf: Date, recordedBy: Date) {
  const s = await getStatusAsOf(as(hr, ctxDay), { asOf, recordedBy });
  return s.people
    .map((p) => ({
      user: p.userId,
      unit: p.orgUnitId,
      path: p.pathId,
      state: p.path?.state,
      courses: p.courses.map((c) => [c.courseId, c.state, c.percent, c.completedAt?.getTime() ?? null, c.completedVersion]),
    }))
    .sort((a, b) => a.user.localeCompare(b.user));
}

describe('status as of a past date', () => {
  test('returns identical figures for T1 after assignments, memberships, content and progress changed', async () => {
    const T1 = at(2);
    const before = await figures(3, T1, T1);
    expect(before.find((p) => p.user === people[0]?.id)?.courses[0]?.[1]).toBe('completed');
    expect(before.find((p) => p.user === people[1]?.id)?.courses[0]?.[1]).toBe('in-progress');
    // after T1: a move, a new assignment for unit A, more progress, a revised path and a late entry effective before T1
    await changeMembership(as(admin, 4), { userId: people[0]?.id as string, orgUnitId: tenant.orgUnitIds.get('B') });
    await assignPath(as(admin, 4), { pathId: 'fuehrung', orgUnitId: tenant.orgUnitIds.get('A') });
    await completeLesson(as(people[1] as AuthUser, 4), 'probe-kurs', 'lektion-2');
    const revised = fixtureContent();
    for (const p of revised.paths.values()) p.refresherMonths = 3;
    await archiveContent(t.db, revised, at(4));
    await changeMembership(as(admin, 4), { userId: people[2]?.id as string, jobRole: 'fuehrungskraft', effectiveAt: at(1.8) });
    expect(await figures(5, T1, T1)).toEqual(before);
    // the late entry shows with a later recording cut-off, and only then
    const later = await figures(5, T1, at(5));
    expect(later.find((p) => p.user === people[2]?.id)?.path).toBe('fuehrung');
    expect(before.find((p) => p.user === people[2]?.id)?.path).toBe('standard');
    // as of today the move and the assignment count
    const now = await figures(5, at(5), at(5));
    expect(now.find((p) => p.user === people[1]?.id)?.path).toBe('fuehrung');
  });

  test('refuses a date in the future and a date before the district record began, with a German message', async () => {
    await expect(getStatusAsOf(as(hr, 5), { asOf: at(9) })).rejects.toThrow(/liegt in der Zukunft/);
    await expect(getStatusAsOf(as(hr, 5), { asOf: new Date(base - 30 * DAY) })).rejects.toThrow(/Aufzeichnung des Landkreises beginnt/);
    await expect(getStatusAsOf(as(hr, 5), { asOf: new Date(base - 30 * DAY) })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('status now', () => {
  test('returns the same figures from the projections as from the record', async () => {
    const ctx = as(hr, 8);
    const fromProjections = await getStatusAsOf(ctx, {});
    const fromRecord = await getStatusAsOf(ctx, { asOf: at(8), recordedBy: at(8) });
    const norm = (s: typeof fromRecord) => [...s.people].sort((a, b) => a.userId.localeCompare(b.userId));
    expect(norm(fromProjections)).toEqual(norm(fromRecord));
    expect(fromRecord.people.length).toBeGreaterThan(3);
    const cohort = await getStatusAsOf(ctx, { userIds: [people[1]?.id as string] });
    expect(cohort.people).toEqual(fromRecord.people.filter((p) => p.userId === people[1]?.id));
  });
});

describe('projections', () => {
  test('rebuilt from the record equal the current-state tables', async () => {
    const p = await projectionsFromRecord(t.db, tenant.id);
    const lessons = await t.db.select().from(lessonProgressTable).where(eq(lessonProgressTable.tenantId, tenant.id));
    expect(
      new Map(lessons.filter((l) => l.completedAt).map((l) => [`${l.userId}|${l.courseId}|${l.lessonId}`, l.completedAt?.getTime()])),
    ).toEqual(p.lessonsDone);
    const perCourse = await t.db.select().from(courseProgressTable).where(eq(courseProgressTable.tenantId, tenant.id));
    expect(new Map(perCourse.map((c) => [`${c.userId}|${c.courseId}`, `${c.lessons}|${c.lessonsDone}`]))).toEqual(p.courseProgress);
    expect(p.courseProgress.size).toBeGreaterThan(0);
    const completions = await t.db.select().from(courseCompletionTable).where(eq(courseCompletionTable.tenantId, tenant.id));
    expect(new Map(completions.map((c) => [c.id, `${c.userId}|${c.courseId}|${c.courseVersion}|${c.completedAt.getTime()}`]))).toEqual(
      p.completions,
    );
    const attempts = await t.db
      .select()
      .from(quizAttemptTable)
      .where(and(eq(quizAttemptTable.tenantId, tenant.id), eq(quizAttemptTable.status, 'submitted')));
    expect(new Map(attempts.map((a) => [a.id, `${a.userId}|${a.quizId}|${a.quizVersion}|${a.score}|${a.maxScore}|${a.passed}`]))).toEqual(
      p.submitted,
    );
    const assignments = await t.db.select().from(pathAssignmentTable).where(eq(pathAssignmentTable.tenantId, tenant.id));
    expect(new Map(assignments.map((a) => [a.id, `${a.userId ?? ''}|${a.orgUnitId ?? ''}|${a.pathId}`]))).toEqual(p.assignments);
    const users = await t.db.select().from(userTable).where(eq(userTable.tenantId, tenant.id));
    expect(new Map(users.map((u) => [u.id, `${u.orgUnitId ?? ''}|${u.jobRole}`]))).toEqual(p.memberships);
    expect(p.completions.size).toBe(1);
  });

  test('a double submit records the attempt once', async () => {
    const u = await makeUser(t.db, { tenant: tenant.slug });
    const attempt = await startAttempt(as(u, 2), 'probe-kurs');
    await submitAttempt(as(u, 2), attempt.id, {});
    const again = await submitAttempt(as(u, 2), attempt.id, {});
    expect(again.alreadySubmitted).toBe(true);
    const facts = await t.db
      .select()
      .from(learningEventTable)
      .where(and(eq(learningEventTable.ref, attempt.id), eq(learningEventTable.type, 'quiz.submitted')));
    expect(facts).toHaveLength(1);
  });
});

describe('append-only record and tenant integrity in the database', () => {
  test('refuses to update or delete a fact', async () => {
    await refused(t.db.run(sql`UPDATE learning_events SET type = 'lesson.started'`), /append-only/);
    await refused(t.db.run(sql`DELETE FROM learning_events`), /append-only/);
  });

  test('refuses rows that reference a person or org unit of another district', async () => {
    const other = await makeTenant(t.db);
    const stranger = await makeUser(t.db, { tenant: other.slug });
    await refused(
      t.db.insert(lessonProgressTable).values({
        tenantId: tenant.id,
        userId: stranger.id,
        courseId: 'probe-kurs',
        lessonId: 'lektion-1',
        lessonVersion: 'x',
        startedAt: new Date(),
        lastSeenAt: new Date(),
      }),
      /tenant mismatch/,
    );
    await refused(
      t.db.insert(learningEventTable).values({
        tenantId: tenant.id,
        userId: stranger.id,
        type: 'lesson.started',
        data: {},
        effectiveAt: new Date(),
        recordedAt: new Date(),
        actorId: null,
      }),
      /tenant mismatch/,
    );
    await refused(
      t.db
        .update(userTable)
        .set({ orgUnitId: other.orgUnitIds.get('A') })
        .where(eq(userTable.id, people[0]?.id as string)),
      /tenant mismatch/,
    );
    await refused(t.db.insert(userRoleTable).values({ userId: stranger.id, role: 'hr', tenantId: tenant.id }), /tenant mismatch/);
    // tables added later: a cohort's rule and a single sign-on identity stay inside their district too
    const cohortId = crypto.randomUUID();
    await t.db.insert(cohortTable).values({ id: cohortId, tenantId: tenant.id, name: 'Kohorte', createdAt: new Date() });
    const rule = { cohortId, tenantId: tenant.id, kind: 'org-unit' as const, includeSubunits: false, validFrom: new Date() };
    await refused(
      t.db.insert(cohortRuleTable).values({ ...rule, id: crypto.randomUUID(), orgUnitId: other.orgUnitIds.get('A') }),
      /tenant mismatch/,
    );
    await refused(
      t.db.insert(cohortRuleTable).values({ ...rule, id: crypto.randomUUID(), tenantId: other.id, orgUnitId: other.orgUnitIds.get('A') }),
      /tenant mismatch/,
    );
    await t.db.insert(cohortRuleTable).values({ ...rule, id: crypto.randomUUID(), orgUnitId: people[0]?.orgUnitId ?? null });
    await refused(
      t.db.insert(userIdentityTable).values({
        id: crypto.randomUUID(),
        tenantId: tenant.id,
        issuer: 'https://idp.example',
        subject: 's-1',
        userId: stranger.id,
        createdAt: new Date(),
      }),
      /tenant mismatch/,
    );
    await expect(
      createUser(t.db, { tenant: tenant.slug, email: 'x@test.example', name: 'Xaver', orgUnitId: other.orgUnitIds.get('A') }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('authorize', () => {
  test('limits an hr grant scoped to an org unit to that subtree', async () => {
    const scoped = await makeUser(t.db, { tenant: tenant.slug, roles: ['hr'] });
    await t.db
      .update(userRoleTable)
      .set({ scopeOrgUnitId: tenant.orgUnitIds.get('B') })
      .where(eq(userRoleTable.userId, scoped.id));
    const s = await getStatusAsOf(as(scoped, 5), { asOf: at(5) });
    expect(s.people.length).toBeGreaterThan(0);
    expect(s.people.every((p) => p.orgUnitId === tenant.orgUnitIds.get('B'))).toBe(true);
    await expect(authorize(as(scoped, 5), 'hr.view', { userId: people[1]?.id })).rejects.toBeInstanceOf(NotFoundError);
    await expect(authorize(as(scoped, 5), 'hr.view', { orgUnitId: tenant.orgUnitIds.get('A') })).rejects.toBeInstanceOf(NotFoundError);
    await expect(authorize(as(scoped, 5), 'hr.view', { userId: people[2]?.id })).resolves.toMatchObject({ tenantId: tenant.id });
  });

  test('refuses another district, another role and a tampered id', async () => {
    const other = await makeTenant(t.db);
    const otherHr = await makeUser(t.db, { tenant: other.slug, roles: ['hr'] });
    expect(
      (await getStatusAsOf(personContext(t.db, otherHr, content), { asOf: new Date() })).people.some((p) => p.userId === people[0]?.id),
    ).toBe(false);
    await expect(authorize(personContext(t.db, otherHr, content), 'hr.view', { userId: people[0]?.id })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(authorize(personContext(t.db, otherHr, content), 'hr.view', { tenantId: tenant.id })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(getStatusAsOf(as(people[0] as AuthUser, 5), { asOf: at(5) })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(assignPath(as(hr, 5), { pathId: 'standard', orgUnitId: tenant.orgUnitIds.get('A') })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    const tampered = `${people[0]?.id.slice(0, -1)}${people[0]?.id.endsWith('0') ? '1' : '0'}`;
    await expect(authorize(as(hr, 5), 'hr.view', { userId: tampered })).rejects.toBeInstanceOf(NotFoundError);
    await expect(assignPath(as(admin, 5), { pathId: 'standard', userId: otherHr.id })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('erasePerson', () => {
  test('keeps past figures and the audit chain verifiable while the person is pseudonymised', async () => {
    const { erasePerson, pseudonymOf } = await import('../../src/lib/server/users/erase-person.ts');
    const { verifyAuditChain } = await import('../../src/lib/server/audit/verify-audit-chain.ts');
    const { auditEventsAbout } = await import('../setup/factories.ts');
    const person = people[0] as AuthUser;
    const before = await figures(6, at(2), at(2));
    expect((await auditEventsAbout(t.db, person.id)).length).toBeGreaterThan(0);
    const result = await erasePerson(as(admin, 6), person.id);
    expect(result.auditPartsCleared).toBeGreaterThan(0);
    expect(await figures(7, at(2), at(2))).toEqual(before);
    const [row] = await t.db.select().from(userTable).where(eq(userTable.id, person.id));
    expect(row?.name).toBe(pseudonymOf(person.id));
    expect(row?.email).not.toContain(person.email);
    expect(JSON.stringify(await t.db.all(sql`SELECT data FROM audit_personal WHERE data IS NOT NULL`))).not.toContain(person.email);
    const chain = await verifyAuditChain(t.db, tenant.id);
    expect(chain).toMatchObject({ ok: true, firstBroken: null });
    await expect(erasePerson(as(admin, 7), person.id)).rejects.toThrow(/bereits gelöscht/);
    await expect(erasePerson(as(hr, 7), people[1]?.id as string)).rejects.toBeInstanceOf(ForbiddenError);
  });
});
