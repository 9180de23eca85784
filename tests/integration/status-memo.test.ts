/**
 * Stored status results (status-memo.ts) answer exactly what a fresh computation answers: after every kind of change
 * to the record and while time passes due dates and refresher windows, for the figures of now (projections and
 * record), a past date with a moving recording cut-off, and a cohort.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DbHandle, openDb } from '../../db/client.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { type Ctx, personContext } from '../../src/lib/server/context.ts';
import { completeCourseWithAnswerKey } from '../../src/lib/server/demo/seed-demo-learning.ts';
import { archiveContent } from '../../src/lib/server/evidence/content-archive.ts';
import { getStatusAsOf, type StatusAsOf } from '../../src/lib/server/evidence/status-as-of.ts';
import { forgetStoredStatus, storedStatusSettings, storedStatusStats } from '../../src/lib/server/evidence/status-memo.ts';
import { berlinDay } from '../../src/lib/server/hr/evidence-dates.ts';
import { assignPath } from '../../src/lib/server/learning/assign-path.ts';
import { completeLesson } from '../../src/lib/server/learning/lesson-progress.ts';
import { changeMembership } from '../../src/lib/server/users/change-membership.ts';
import { erasePerson } from '../../src/lib/server/users/erase-person.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
const DAY = 86_400_000;
let t: TestDb;
/** A second handle on the same file: its results are never stored, so it computes afresh. */
let fresh: DbHandle;
let base: number;
let tenant: Awaited<ReturnType<typeof makeTenant>>;
let admin: AuthUser;
let hr: AuthUser;
let people: AuthUser[];
const minPeople = storedStatusSettings.minPeople;

const at = (days: number): Date => new Date(base + days * DAY);
const as = (user: AuthUser, day: number, db = t.db): Ctx => personContext(db, user, content, () => at(day));

beforeAll(async () => {
  t = await createTestDb();
  fresh = await openDb({ url: t.url });
  // cohorts of any size are stored here, so the small test district exercises them too
  storedStatusSettings.minPeople = 2;
  configureCertificateIssuing({ keyDir: mkdtempSync(join(tmpdir(), 'kiko-keys-')) });
  base = Date.now() + 60_000;
  await archiveContent(t.db, content, new Date(base - 1000));
  tenant = await makeTenant(t.db);
  admin = await makeUser(t.db, { tenant: tenant.slug, roles: ['admin'] });
  hr = await makeUser(t.db, { tenant: tenant.slug, roles: ['hr'] });
  people = [];
  for (let i = 0; i < 8; i++)
    people.push(await makeUser(t.db, { tenant: tenant.slug, orgUnitId: tenant.orgUnitIds.get(i < 4 ? 'A' : 'B') }));
});
afterAll(() => {
  storedStatusSettings.minPeople = minPeople;
  fresh.close();
  t.cleanup();
});

const norm = (s: StatusAsOf) => ({
  pathVersions: s.pathVersions,
  people: [...s.people].sort((a, b) => a.userId.localeCompare(b.userId)),
});

/** The stored answer and a fresh one for the same question, on day `day`. */
async function expectSame(day: number, opts: { asOf?: Date; recordedBy?: Date; userIds?: readonly string[] }): Promise<StatusAsOf> {
  const stored = await getStatusAsOf(as(hr, day), opts);
  forgetStoredStatus(fresh.db);
  const computed = await getStatusAsOf(as(hr, day, fresh.db), opts);
  expect(norm(stored)).toEqual(norm(computed));
  return stored;
}

/** Every kind of question HR and the dashboards ask, stored and fresh. */
async function expectAllSame(day: number): Promise<void> {
  const now = at(day);
  await expectSame(day, {});
  await expectSame(day, { asOf: now, recordedBy: now });
  if (day > 1.5) await expectSame(day, { asOf: at(1.5), recordedBy: now });
  await expectSame(day, { userIds: people.slice(0, 6).map((p) => p.id) });
}

describe('stored status results', () => {
  test('equal a fresh computation after each change to the record and as time passes due dates and refresher windows', async () => {
    const p = people as [AuthUser, AuthUser, AuthUser, AuthUser, AuthUser, AuthUser, AuthUser, AuthUser];
    await expectAllSame(0.5);
    const before = { ...storedStatusStats };
    await completeCourseWithAnswerKey(t.db, p[0], content, 'probe-kurs', at(1));
    await expectAllSame(1.2);
    await completeLesson(as(p[1], 2), 'probe-kurs', 'lektion-1');
    await expectAllSame(2);
    await assignPath(as(admin, 3), { pathId: 'fuehrung', userId: p[2].id, dueOn: berlinDay(at(10)) });
    await expectAllSame(3);
    // a path for a whole org unit: everything is computed again
    await assignPath(as(admin, 4), { pathId: 'fuehrung', orgUnitId: tenant.orgUnitIds.get('B') });
    await expectAllSame(4);
    // a move entered later, effective earlier
    await changeMembership(as(admin, 5), { userId: p[3].id, orgUnitId: tenant.orgUnitIds.get('B'), effectiveAt: at(1.6) });
    await expectAllSame(5);
    await makeUser(t.db, { tenant: tenant.slug, orgUnitId: tenant.orgUnitIds.get('A') });
    await expectAllSame(6);
    await erasePerson(as(admin, 8), p[5].id);
    await expectAllSame(8);
    // no facts, only time: the explicit due date (day 10), the path due dates (30 and 60 days), the refresher window
    // of the completion on day 1 (12 months, 60 days before) and its expiry
    for (const day of [9, 11, 25, 40, 70, 200, 310, 340, 370]) await expectAllSame(day);
    await changeMembership(as(admin, 371), { userId: p[6].id, jobRole: 'fuehrungskraft' });
    await completeLesson(as(p[7], 371), 'probe-kurs', 'lektion-1');
    await expectAllSame(372);
    // the stored results were brought up to date, not only computed again
    expect(storedStatusStats.updated - before.updated).toBeGreaterThan(20);
    expect(storedStatusStats.peopleUpdated - before.peopleUpdated).toBeGreaterThan(5);
  });

  test('show the time passing without a new fact: a completion becomes due for its refresher, then expires', async () => {
    const [first] = people as [AuthUser];
    const state = async (day: number) =>
      (await getStatusAsOf(as(hr, day), {})).people.find((x) => x.userId === first.id)?.courses.find((c) => c.courseId === 'probe-kurs')
        ?.state;
    expect(await state(373)).toBe('expired');
    // an earlier "now" than the stored one is computed afresh, not served from the later result
    expect(await state(100)).toBe('completed');
    expect(await state(320)).toBe('refresher-due');
  });

  test('answer two requests at once from the same stored result, and keep a cut-off exact as it moves past a late entry', async () => {
    const [a, b] = await Promise.all([getStatusAsOf(as(hr, 380), {}), getStatusAsOf(as(hr, 380), {})]);
    expect(norm(a)).toEqual(norm(b));
    // a move entered on day 378, effective on day 150: hidden for a cut-off before day 378, shown from then on
    const mover = people[7] as AuthUser;
    await changeMembership(as(admin, 378), { userId: mover.id, orgUnitId: tenant.orgUnitIds.get('A'), effectiveAt: at(150) });
    const T = at(200);
    const unitOf = (s: StatusAsOf) => s.people.find((x) => x.userId === mover.id)?.orgUnitId;
    expect(unitOf(await expectSame(380, { asOf: T, recordedBy: at(375) }))).toBe(tenant.orgUnitIds.get('B'));
    const later = await expectSame(380, { asOf: T, recordedBy: at(379) });
    expect(unitOf(later)).toBe(tenant.orgUnitIds.get('A'));
    // facts after T change nothing for T
    await completeLesson(as(people[4] as AuthUser, 381), 'probe-kurs', 'lektion-2');
    expect(norm(await expectSame(382, { asOf: T, recordedBy: at(379) }))).toEqual(norm(later));
  });
});
