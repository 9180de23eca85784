/**
 * HR's 24-month trend reads stored month figures (coverage_months): they must equal computing each month again from
 * the record — for the whole district, a subtree grant and a job-role filter — and a backdated fact must drop the
 * months it changes, so a stored month is never stale.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { coverageMonthTable, orgUnitTable, tenantTable, userRoleTable, userTable } from '../../db/schema/index.ts';
import { authorize } from '../../src/lib/server/authz/authorize.ts';
import { loadContent } from '../../src/lib/server/content/load-content.ts';
import { type Ctx, personContext } from '../../src/lib/server/context.ts';
import { appendFact } from '../../src/lib/server/evidence/record.ts';
import { countCoverage } from '../../src/lib/server/hr/coverage.ts';
import { loadCoverageBase } from '../../src/lib/server/hr/coverage-base.ts';
import { coverageTrend, monthEnds } from '../../src/lib/server/hr/coverage-trend.ts';
import { coverageMonthsJob } from '../../src/lib/server/jobs/server-jobs.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { generateSmallDistrict } from '../setup/small-district.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let t: TestDb;
let hr: Ctx;
let scopedHr: Ctx;
let tenantId: string;
let unitId: string;
const content = loadContent({ root: process.cwd() });

/** The trend computed month by month from the record, without stored months. */
async function liveTrend(ctx: Ctx, asOf: Date, recordedBy: Date, filters: { orgUnitId?: string; jobRole?: string } = {}) {
  const scope = await authorize(ctx, 'hr.view');
  const points = await coverageTrend(ctx, scope, { asOf, recordedBy, filters });
  const live = [];
  for (const p of points) {
    const base = await loadCoverageBase(ctx, scope, { asOf: p.at, recordedBy, filters });
    live.push({ at: p.at, counts: countCoverage(base.people) });
  }
  return { points, live };
}

beforeAll(async () => {
  t = await createTestDb();
  const gen = await generateSmallDistrict(t.client, 'verlauf');
  tenantId = gen.tenantId;
  const [unit] = await t.db.select().from(orgUnitTable).where(eq(orgUnitTable.tenantId, tenantId)).limit(1);
  unitId = unit?.id ?? '';
  hr = personContext(t.db, await makeUser(t.db, { tenant: 'verlauf', roles: ['hr'] }), content);
  const limited = await makeUser(t.db, { tenant: 'verlauf', roles: ['hr'] });
  await t.db.update(userRoleTable).set({ scopeOrgUnitId: unitId }).where(eq(userRoleTable.userId, limited.id));
  scopedHr = personContext(t.db, limited, content);
}, 60_000);
afterAll(() => t?.cleanup());

/** An active person of the generated history, there since long before (the test's HR accounts came only today). */
async function longestThere() {
  const [person] = await t.db
    .select()
    .from(userTable)
    .where(and(eq(userTable.tenantId, tenantId), eq(userTable.status, 'active')))
    .orderBy(userTable.createdAt, userTable.id)
    .limit(1);
  return person;
}

describe('coverageTrend', () => {
  test('returns the same figures from stored months as computing every month again, for district, grant and filter', async () => {
    const now = new Date();
    const first = await liveTrend(hr, now, now);
    expect(first.points.length).toBeGreaterThan(3);
    expect(first.points).toEqual(first.live);
    const [{ n }] = (await t.db
      .select({ n: sql<number>`count(*)` })
      .from(coverageMonthTable)
      .where(eq(coverageMonthTable.tenantId, tenantId))) as [{ n: number }];
    expect(n).toBe(first.points.length - 1);
    // read from the stored months now: the subtree grant and a job-role filter pick their part
    expect((await liveTrend(hr, now, now)).points).toEqual(first.points);
    const scoped = await liveTrend(scopedHr, now, now);
    expect(scoped.points).toEqual(scoped.live);
    const role = await liveTrend(hr, now, now, { jobRole: 'sachbearbeitung' });
    expect(role.points).toEqual(role.live);
    expect(
      role.points.some((p) => p.counts.active < (first.points.find((q) => q.at.getTime() === p.at.getTime())?.counts.active ?? 0)),
    ).toBe(true);
  });

  test('drops the stored months a backdated fact reaches and shows the fact after that', async () => {
    const now = new Date();
    const before = await liveTrend(hr, now, now);
    const months = (await t.db.select().from(coverageMonthTable).where(eq(coverageMonthTable.tenantId, tenantId))).map((r) =>
      r.monthEnd.getTime(),
    );
    const sorted = [...months].sort((a, b) => a - b);
    const pivot = new Date((sorted[sorted.length - 3] as number) - 3 * 86_400_000);
    // someone left the district three months back, recorded only now
    const person = await longestThere();
    await appendFact(t.db, {
      tenantId,
      type: 'membership.changed',
      userId: person?.id,
      data: { orgUnitId: person?.orgUnitId ?? null, jobRole: person?.jobRole ?? 'sachbearbeitung', status: 'disabled' },
      effectiveAt: pivot,
      actorId: null,
    });
    const left = (await t.db.select().from(coverageMonthTable).where(eq(coverageMonthTable.tenantId, tenantId))).map((r) =>
      r.monthEnd.getTime(),
    );
    expect(left.every((m) => m < pivot.getTime())).toBe(true);
    expect(left.length).toBe(sorted.filter((m) => m < pivot.getTime()).length);
    const after = await liveTrend(hr, now, new Date());
    expect(after.points).toEqual(after.live);
    const changed = after.points.filter((p, i) => p.counts.active !== before.points[i]?.counts.active);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((p) => p.at >= pivot)).toBe(true);
  });

  test('computes the months as recorded then for an earlier cut-off, without storing them', async () => {
    const now = new Date();
    const cutOff = new Date(now.getTime() - 30 * 86_400_000);
    const stored = await t.db.select().from(coverageMonthTable).where(eq(coverageMonthTable.tenantId, tenantId));
    const old = await liveTrend(hr, now, cutOff);
    expect(old.points).toEqual(old.live);
    expect(await t.db.select().from(coverageMonthTable).where(eq(coverageMonthTable.tenantId, tenantId))).toEqual(stored);
  });
});

describe('coverage-months job', () => {
  const monthsOf = async (id: string) =>
    (await t.db.select().from(coverageMonthTable).where(eq(coverageMonthTable.tenantId, id))).map((r) => r.monthEnd.getTime()).sort();

  test('stores every missing past month end of each district with a record, equal to computing it; a second run does nothing', async () => {
    // a backdated fact three months back drops the months from there on
    const person = await longestThere();
    await appendFact(t.db, {
      tenantId,
      type: 'membership.changed',
      userId: person?.id,
      data: { orgUnitId: person?.orgUnitId ?? null, jobRole: 'fuehrungskraft', status: 'active' },
      effectiveAt: new Date(Date.now() - 80 * 86_400_000),
      actorId: null,
    });
    const now = new Date();
    const before = await monthsOf(tenantId);
    const [{ start }] = (await t.db.all(sql`SELECT record_started_at AS start FROM tenants WHERE id = ${tenantId}`)) as [{ start: number }];
    const expected = monthEnds(now, 24, new Date(start))
      .slice(0, -1)
      .map((d) => d.getTime());
    expect(before.length).toBeLessThan(expected.length);
    const lines: string[] = [];
    const job = coverageMonthsJob(
      t.db,
      () => content,
      (l) => lines.push(l),
    );
    expect(await job.run(now)).toBe(`Monatswerte berechnet ${expected.length - before.length}`);
    expect(lines).toEqual([]);
    expect(await monthsOf(tenantId)).toEqual(expected);
    // what HR's trend reads now is what computing each month gives
    const trend = await liveTrend(hr, now, new Date());
    expect(trend.points).toEqual(trend.live);
    expect(await job.run(new Date(now.getTime() + 1000))).toBeUndefined();
  });

  test('leaves districts without a record and suspended districts alone', async () => {
    const bare = await makeTenant(t.db);
    await t.db.update(tenantTable).set({ recordStartedAt: null }).where(eq(tenantTable.id, bare.id));
    const other = await generateSmallDistrict(t.client, 'ruhend');
    await t.db.update(tenantTable).set({ status: 'suspended' }).where(eq(tenantTable.id, other.tenantId));
    const job = coverageMonthsJob(
      t.db,
      () => content,
      () => {},
    );
    await job.run(new Date());
    expect(await monthsOf(other.tenantId)).toEqual([]);
    expect(await monthsOf(bare.id)).toEqual([]);
  });
});
