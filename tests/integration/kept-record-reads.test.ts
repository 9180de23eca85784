/**
 * The per-process reads of the learning record that the item analyses and past cohort membership keep
 * (quizzes/response-store.ts, cohorts/membership-as-of.ts): after every kind of new fact — a new answer, a later
 * answer, a backdated answer recorded afterwards, two answers with the same effective time, a move, a backdated move —
 * they answer exactly what a fresh read of the record gives, and only for the district asked.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDb } from '../../db/client.ts';
import { membershipsAsOf } from '../../src/lib/server/cohorts/membership-as-of.ts';
import { appendFacts, type Fact } from '../../src/lib/server/evidence/record.ts';
import { forgetStoredResponses, type ItemAnswers, latestAnswers } from '../../src/lib/server/quizzes/response-store.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const DAY = 86_400_000;
const base = Date.now() - 30 * DAY;
let t: TestDb;
let tenantId: string;
let otherTenantId: string;
let people: AuthUser[];
let stranger: AuthUser;
let units: Map<string, string>;

async function write(facts: Fact[]): Promise<void> {
  await t.db.transaction(async (tx) => {
    await appendFacts(tx, facts);
  });
}
const response = (u: AuthUser, itemId: string, optionId: string, score: number, day: number): Fact => ({
  tenantId: u.tenant?.id as string,
  type: 'quiz.response',
  userId: u.id,
  subject: 'probe-quiz',
  ref: randomUUID(),
  version: 'v1',
  data: { itemId, response: { type: 'single', optionId }, score },
  effectiveAt: new Date(base + day * DAY),
  actorId: u.id,
});
const move = (u: AuthUser, orgUnitId: string, day: number): Fact => ({
  tenantId: u.tenant?.id as string,
  type: 'membership.changed',
  userId: u.id,
  data: { orgUnitId, jobRole: 'sachbearbeitung', status: 'active' },
  effectiveAt: new Date(base + day * DAY),
  actorId: u.id,
});

/** Answers as plain, sorted data: item → person → chosen option and score. */
function plain(items: ItemAnswers[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const i of items) {
    const byPerson: Record<string, string> = {};
    i.userIds.forEach((u, k) => {
      byPerson[u] = `${String(i.answers[k]?.response?.optionId)}:${i.answers[k]?.score}`;
    });
    out[`${i.quizId}/${i.itemId}`] = byPerson;
  }
  return out;
}

/** What a new process would read: a fresh database handle, nothing kept. */
async function fresh<T>(read: (db: TestDb['db']) => Promise<T>): Promise<T> {
  const h = await openDb({ url: t.url });
  try {
    return await read(h.db);
  } finally {
    h.close();
  }
}

beforeAll(async () => {
  t = await createTestDb();
  const home = await makeTenant(t.db);
  const other = await makeTenant(t.db);
  tenantId = home.id;
  otherTenantId = other.id;
  units = home.orgUnitIds;
  people = [];
  for (let i = 0; i < 4; i++) people.push(await makeUser(t.db, { tenant: home.slug, name: `Person ${i}`, orgUnitId: units.get('A') }));
  stranger = await makeUser(t.db, { tenant: other.slug, name: 'Fremde Person' });
});
afterAll(() => t.close());

describe('latestAnswers', () => {
  test('returns each person’s latest answer, the same as a fresh read after every kind of new fact', async () => {
    const [p0, p1, p2, p3] = people as [AuthUser, AuthUser, AuthUser, AuthUser];
    await write([response(p0, 'f1', 'b', 0, 1), response(p1, 'f1', 'a', 1, 1), response(stranger, 'f1', 'b', 0, 1)]);
    const first = plain(await latestAnswers(t.db, tenantId, null));
    expect(first).toEqual({ 'probe-quiz/f1': { [p0.id]: 'b:0', [p1.id]: 'a:1' } });

    // a later answer replaces the earlier one; a new person and a new item appear
    await write([response(p0, 'f1', 'a', 1, 3), response(p2, 'f1', 'c', 0, 2), response(p2, 'f2', 'a', 1, 2)]);
    // recorded now, effective before p0's latest: does not replace it
    await write([response(p0, 'f1', 'c', 0, 2)]);
    // two answers with the same effective time: the one recorded later counts
    await write([response(p3, 'f2', 'b', 0, 4)]);
    await write([response(p3, 'f2', 'a', 1, 4)]);
    const kept = plain(await latestAnswers(t.db, tenantId, null));
    expect(kept).toEqual({
      'probe-quiz/f1': { [p0.id]: 'a:1', [p1.id]: 'a:1', [p2.id]: 'c:0' },
      'probe-quiz/f2': { [p2.id]: 'a:1', [p3.id]: 'a:1' },
    });
    expect(kept).toEqual(plain(await fresh((db) => latestAnswers(db, tenantId, null))));
    forgetStoredResponses(t.db);
    expect(plain(await latestAnswers(t.db, tenantId, null))).toEqual(kept);
  });

  test('returns only the people asked for, and nobody of another district', async () => {
    const [p0, , p2] = people as [AuthUser, AuthUser, AuthUser];
    const some = plain(await latestAnswers(t.db, tenantId, [p0.id, p2.id, stranger.id, 'gibt-es-nicht']));
    expect(some).toEqual({ 'probe-quiz/f1': { [p0.id]: 'a:1', [p2.id]: 'c:0' }, 'probe-quiz/f2': { [p2.id]: 'a:1' } });
    expect(plain(await latestAnswers(t.db, otherTenantId, null))).toEqual({ 'probe-quiz/f1': { [stranger.id]: 'b:0' } });
    expect(await latestAnswers(t.db, tenantId, [])).toEqual([]);
  });
});

describe('membershipsAsOf', () => {
  const at = (day: number) => new Date(base + day * DAY);
  const unitOf = async (db: TestDb['db'], userId: string, day: number) =>
    (await membershipsAsOf(db, tenantId, at(day))).find((m) => m.userId === userId)?.orgUnitId;

  test('returns each person’s unit as of a day, the same as a fresh read after moves and backdated moves', async () => {
    const [p0, p1] = people as [AuthUser, AuthUser];
    const A = units.get('A') as string;
    const B = units.get('B') as string;
    // their accounts were created today: as of earlier days they only have what the record says then
    expect(await unitOf(t.db, p0.id, 5)).toBeUndefined();
    await write([move(p0, A, 1), move(p1, A, 1)]);
    expect(await unitOf(t.db, p0.id, 5)).toBe(A);
    // moved on day 5 (recorded after the first read)
    await write([move(p0, B, 5)]);
    expect(await unitOf(t.db, p0.id, 4)).toBe(A);
    expect(await unitOf(t.db, p0.id, 6)).toBe(B);
    // recorded now, effective on day 3: changes day 4 but not day 6, where the later move counts
    await write([move(p0, A, 3), move(p1, B, 3)]);
    expect(await unitOf(t.db, p0.id, 4)).toBe(A);
    expect(await unitOf(t.db, p0.id, 6)).toBe(B);
    expect(await unitOf(t.db, p1.id, 4)).toBe(B);
    for (const day of [2, 4, 6]) {
      const kept = await membershipsAsOf(t.db, tenantId, at(day));
      const read = await fresh((db) => membershipsAsOf(db, tenantId, at(day)));
      const sorted = (list: typeof kept) => [...list].sort((a, b) => a.userId.localeCompare(b.userId));
      expect(sorted(kept)).toEqual(sorted(read));
    }
    expect((await membershipsAsOf(t.db, tenantId, at(6))).some((m) => m.userId === stranger.id)).toBe(false);
  });
});
