/**
 * The content team's item statistics across the district: facility, discrimination index (item against the rest of
 * the quiz), option shares, flags — from each person's latest answer, within the admin's scope and district only,
 * suppressed below the minimum group size, without any name; refused for every other role.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { userRoleTable } from '../../db/schema/index.ts';
import { type Ctx, personContext } from '../../src/lib/server/context.ts';
import { ForbiddenError } from '../../src/lib/server/errors/domain-errors.ts';
import { appendFacts, type Fact } from '../../src/lib/server/evidence/record.ts';
import { correlation, getDistrictItemStatistics, type ItemStatistics } from '../../src/lib/server/quizzes/item-statistics.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
const DAY = 86_400_000;
let t: TestDb;
let admin: AuthUser;
let scopedAdmin: AuthUser;
let strong: AuthUser[];
let weak: AuthUser[];
const as = (u: AuthUser): Ctx => personContext(t.db, u, content);
const base = Date.now() - 30 * DAY;

async function answer(users: AuthUser[], itemId: string, response: Record<string, unknown>, score: number, day: number): Promise<void> {
  const facts: Fact[] = users.map((u) => ({
    tenantId: u.tenant?.id as string,
    type: 'quiz.response',
    userId: u.id,
    subject: 'probe-quiz',
    ref: randomUUID(),
    version: 'v1',
    data: { itemId, response, score },
    effectiveAt: new Date(base + day * DAY),
    actorId: u.id,
  }));
  await t.db.transaction(async (tx) => {
    await appendFacts(tx, facts);
  });
}
const single = (optionId: string) => ({ type: 'single', optionId });
const truth = (value: boolean) => ({ type: 'truefalse', value });
const order = { type: 'ordering', order: ['s1', 's2', 's3'] };
const pairs = { type: 'matching', pairs: { p1: 'bellt', p2: 'miaut' } };
const itemOf = (items: ItemStatistics[] | undefined, id: string) => items?.find((i) => i.itemId === id);

beforeAll(async () => {
  t = await createTestDb();
  const home = await makeTenant(t.db);
  admin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
  scopedAdmin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'], orgUnitId: home.orgUnitIds.get('A') });
  await t.db
    .update(userRoleTable)
    .set({ scopeOrgUnitId: home.orgUnitIds.get('A') })
    .where(eq(userRoleTable.userId, scopedAdmin.id));
  strong = [];
  weak = [];
  for (let i = 0; i < 6; i++)
    strong.push(await makeUser(t.db, { tenant: home.slug, name: `Stark ${i}`, orgUnitId: home.orgUnitIds.get('A') }));
  for (let i = 0; i < 4; i++)
    weak.push(await makeUser(t.db, { tenant: home.slug, name: `Schwach ${i}`, orgUnitId: home.orgUnitIds.get('B') }));
  // one strong person first got f-single wrong, later right: the later answer counts
  await answer(strong.slice(0, 1), 'f-single', single('b'), 0, 1);
  await answer(strong, 'f-single', single('a'), 1, 2);
  await answer(weak, 'f-single', single('b'), 0, 2);
  await answer(strong, 'f-wahr', truth(true), 1, 2);
  await answer(weak, 'f-wahr', truth(false), 0, 2);
  await answer(strong, 'f-reihe', order, 1, 2);
  await answer(weak, 'f-reihe', order, 0, 2);
  // a reversed item: the strong get it wrong, the weak right
  await answer(strong, 'f-wahr-b', truth(false), 0, 2);
  await answer(weak, 'f-wahr-b', truth(true), 1, 2);
  // everyone right on the matching item; five people all chose the same option of f-single-b; two answered f-reihe-b
  await answer([...strong, ...weak], 'f-paare', pairs, 1, 3);
  await answer(strong.slice(0, 5), 'f-single-b', single('a'), 1, 3);
  await answer(weak.slice(0, 2), 'f-reihe-b', order, 0, 3);
  // another district's people answer f-single wrongly: never counted here
  const other = await makeTenant(t.db);
  const foreign: AuthUser[] = [];
  for (let i = 0; i < 5; i++) foreign.push(await makeUser(t.db, { tenant: other.slug }));
  await answer(foreign, 'f-single', single('b'), 0, 2);
});
afterAll(() => t.cleanup());

describe('getDistrictItemStatistics', () => {
  test('gives facility, discrimination and option shares from the latest answers of the district', async () => {
    const s = await getDistrictItemStatistics(as(admin));
    const quiz = s.quizzes.find((q) => q.quizId === 'probe-quiz');
    expect(quiz?.people).toBe(10);
    const f = itemOf(quiz?.items, 'f-single');
    expect(f).toMatchObject({ answered: 10, facility: 60, flags: [], current: true });
    // the strong answer it right and do well on the rest: close to 1 (not exactly, they answered different items)
    expect(f?.discrimination).toBeGreaterThan(0.9);
    expect(f?.options).toEqual([
      { text: 'Die richtige Antwort', correct: true, percent: 60 },
      { text: 'Eine falsche Antwort', correct: false, percent: 40 },
    ]);
    expect(f?.lesson?.href).toMatch(/^\/kurse\/probe-kurs\//);
    expect(itemOf(quiz?.items, 'f-wahr')?.options?.map((o) => o.percent)).toEqual([60, 40]);
  });

  test('flags the reversed item, the too easy and the too hard one; flagged items come first', async () => {
    const items = (await getDistrictItemStatistics(as(admin))).quizzes[0]?.items;
    expect(itemOf(items, 'f-wahr-b')).toMatchObject({ facility: 40, flags: ['trennt-umgekehrt'] });
    expect(itemOf(items, 'f-wahr-b')?.discrimination).toBeLessThan(-0.9);
    expect(itemOf(items, 'f-paare')).toMatchObject({ facility: 100, discrimination: null, flags: ['zu-leicht'], options: null });
    expect(itemOf(items, 'f-paare')?.optionsNote).toMatch(/keine einzelnen Antwortoptionen/);
    const flagged = items?.findIndex((i) => i.flags.length === 0) ?? -1;
    expect(items?.slice(0, flagged).every((i) => i.flags.length > 0)).toBe(true);
    expect(items?.slice(flagged).every((i) => i.flags.length === 0)).toBe(true);
  });

  test('shows no option shares where everyone chose the same, and no figures below the minimum group size', async () => {
    const items = (await getDistrictItemStatistics(as(admin))).quizzes[0]?.items;
    const same = itemOf(items, 'f-single-b');
    expect(same).toMatchObject({ answered: 5, facility: 100, options: null });
    expect(same?.optionsNote).toMatch(/gleich geantwortet/);
    expect(itemOf(items, 'f-reihe-b')).toMatchObject({ answered: 2, facility: null, discrimination: null, options: null, flags: [] });
  });

  test('an admin scoped to an org subtree counts only the people in it', async () => {
    const items = (await getDistrictItemStatistics(as(scopedAdmin))).quizzes[0]?.items;
    expect(itemOf(items, 'f-single')).toMatchObject({ answered: 6, facility: 100 });
    expect(itemOf(items, 'f-wahr-b')).toMatchObject({ answered: 6, facility: 0, flags: ['zu-schwer'] });
  });

  test('names nobody', async () => {
    const text = JSON.stringify(await getDistrictItemStatistics(as(admin)));
    for (const u of [...strong, ...weak]) {
      expect(text).not.toContain(u.id);
      expect(text).not.toContain(u.name);
    }
  });

  test('is refused for learners, multipliers, HR and the staff council', async () => {
    const tenant = strong[0]?.tenant?.slug as string;
    for (const roles of [['learner'], ['learner', 'multiplier'], ['hr'], ['staff-council']] as const) {
      const u = await makeUser(t.db, { tenant, roles: [...roles] });
      await expect(getDistrictItemStatistics(as(u))).rejects.toThrow(ForbiddenError);
    }
  });
});

describe('correlation', () => {
  test('is Pearson’s r, and null when a series does not vary', () => {
    expect(correlation([1, 0, 1, 0], [0.9, 0.1, 0.8, 0.2])).toBeCloseTo(0.99, 2);
    expect(correlation([0, 1], [1, 0])).toBeCloseTo(-1, 6);
    expect(correlation([1, 1, 1], [0, 0.5, 1])).toBeNull();
    expect(correlation([1], [1])).toBeNull();
  });
});
