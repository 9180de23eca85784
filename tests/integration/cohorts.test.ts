/**
 * Cohorts of the multiplier programme: membership rules that follow people when they move, ending a cohort, the
 * dashboard's figures against the one status rule, the matrix and its export, item analysis with small-group
 * suppression, the learner's multipliers — and every path by which another cohort's or district's data could leak.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tenantTable } from '../../db/schema/index.ts';
import { authorize } from '../../src/lib/server/authz/authorize.ts';
import { getCohortDashboard } from '../../src/lib/server/cohorts/cohort-dashboard.ts';
import { getCohortMatrix } from '../../src/lib/server/cohorts/cohort-matrix.ts';
import { getCohortMembers } from '../../src/lib/server/cohorts/cohort-members.ts';
import { assignMultiplier, searchMultipliers, unassignMultiplier } from '../../src/lib/server/cohorts/cohort-multipliers.ts';
import { createCohort } from '../../src/lib/server/cohorts/create-cohort.ts';
import { endCohort } from '../../src/lib/server/cohorts/end-cohort.ts';
import { exportCohortMatrix } from '../../src/lib/server/cohorts/export-cohort-matrix.ts';
import { getItemAnalysis } from '../../src/lib/server/cohorts/item-analysis.ts';
import { listCohorts, listOwnCohorts } from '../../src/lib/server/cohorts/list-cohorts.ts';
import { getMyMultipliers } from '../../src/lib/server/cohorts/my-multipliers.ts';
import { type Ctx, personContext } from '../../src/lib/server/context.ts';
import { completeCourseWithAnswerKey } from '../../src/lib/server/demo/seed-demo-learning.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../src/lib/server/errors/domain-errors.ts';
import { archiveContent } from '../../src/lib/server/evidence/content-archive.ts';
import { appendFacts, type Fact } from '../../src/lib/server/evidence/record.ts';
import { getStatusAsOf } from '../../src/lib/server/evidence/status-as-of.ts';
import { completeLesson } from '../../src/lib/server/learning/lesson-progress.ts';
import { ensureTenant } from '../../src/lib/server/tenancy/create-tenant.ts';
import { getMultiplierSettings, updateMultiplierSettings } from '../../src/lib/server/tenancy/multiplier-settings.ts';
import { changeMembership } from '../../src/lib/server/users/change-membership.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { auditEventsAbout, makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
const DAY = 86_400_000;
let t: TestDb;
let base: number;
let units: Map<string, string>;
let slug: string;
let tenantId: string;
let admin: AuthUser;
let hr: AuthUser;
let lead: AuthUser;
let otherLead: AuthUser;
let foreignAdmin: AuthUser;
let foreignCohort: string;
/** people in A (3), A1 below A (3), B (4) */
let inA: AuthUser[];
let inA1: AuthUser[];
let inB: AuthUser[];
let cohortId: string;

const at = (days: number): Date => new Date(base + days * DAY);
const as = (u: AuthUser, day = 40): Ctx => personContext(t.db, u, content, () => at(day));
const unit = (code: string): string => units.get(code) as string;
const tampered = (id: string): string => `${id.slice(0, -1)}${id.endsWith('0') ? '1' : '0'}`;

async function people(n: number, code: string, jobRole?: 'fuehrungskraft'): Promise<AuthUser[]> {
  const out: AuthUser[] = [];
  for (let i = 0; i < n; i++) out.push(await makeUser(t.db, { tenant: slug, orgUnitId: unit(code), jobRole, name: `Person ${code}${i}` }));
  return out;
}

/** Writes quiz answers to the learning record as the quiz verbs do (one response fact per person and item). */
async function answer(users: AuthUser[], itemId: string, response: Record<string, unknown>, score: number, day: number): Promise<void> {
  const facts: Fact[] = users.map((u) => ({
    tenantId,
    type: 'quiz.response',
    userId: u.id,
    subject: 'probe-quiz',
    ref: randomUUID(),
    version: 'v1',
    data: { itemId, response, score },
    effectiveAt: at(day),
    actorId: u.id,
  }));
  await t.db.transaction(async (tx) => {
    await appendFacts(tx, facts);
  });
}

beforeAll(async () => {
  t = await createTestDb();
  base = Date.now() + 60_000;
  await archiveContent(t.db, content, new Date(base - 1000));
  slug = `lk-${randomUUID().slice(0, 8)}`;
  const tenant = await ensureTenant(t.db, { slug, name: 'Landkreis Kohorte' }, [
    { code: 'A', name: 'Amt A' },
    { code: 'A1', name: 'Sachgebiet A1', parentCode: 'A' },
    { code: 'B', name: 'Amt B' },
  ]);
  units = tenant.orgUnitIds;
  tenantId = tenant.id;
  await t.db
    .update(tenantTable)
    .set({ settings: { multiplierPersonViews: true } })
    .where(eq(tenantTable.id, tenantId));
  admin = await makeUser(t.db, { tenant: slug, roles: ['admin'] });
  hr = await makeUser(t.db, { tenant: slug, roles: ['hr'] });
  lead = await makeUser(t.db, { tenant: slug, roles: ['learner', 'multiplier'], name: 'Mia Multi' });
  otherLead = await makeUser(t.db, { tenant: slug, roles: ['learner', 'multiplier'] });
  inA = await people(3, 'A');
  inA1 = await people(3, 'A1', 'fuehrungskraft');
  inB = await people(4, 'B');
  const other = await makeTenant(t.db);
  foreignAdmin = await makeUser(t.db, { tenant: other.slug, roles: ['admin'] });
  const foreignLead = await makeUser(t.db, { tenant: other.slug, roles: ['multiplier'] });
  foreignCohort = (
    await createCohort(as(foreignAdmin, 0), { name: 'Fremde Kohorte', orgUnits: [{ orgUnitId: other.orgUnitIds.get('A') as string }] })
  ).id;
  await assignMultiplier(as(foreignAdmin, 0), { cohortId: foreignCohort, email: foreignLead.email });
  // the cohort: Amt A with its sub-units plus one hand-picked person of Amt B
  cohortId = (
    await createCohort(as(admin, 0), {
      name: 'Amt A',
      orgUnits: [{ orgUnitId: unit('A'), includeSubunits: true }],
      emails: [(inB[0] as AuthUser).email],
    })
  ).id;
  await assignMultiplier(as(admin, 0), { cohortId, email: lead.email });
});
afterAll(() => t.cleanup());

const ids = (list: Array<{ userId: string }>): string[] => list.map((m) => m.userId).sort();
const idsOf = (list: AuthUser[]): string[] => list.map((u) => u.id).sort();

describe('cohort membership', () => {
  test('returns the people of the org unit, its sub-units and the hand-picked person', async () => {
    const { members } = await getCohortMembers(as(lead, 1), cohortId);
    expect(ids(members)).toEqual(idsOf([...inA, ...inA1, inB[0] as AuthUser]));
  });

  test('follows a person who moves, and keeps the membership as of an earlier date', async () => {
    const mover = inB[1] as AuthUser;
    const leaver = inA[2] as AuthUser;
    await changeMembership(as(admin, 2), { userId: mover.id, orgUnitId: unit('A1') });
    await changeMembership(as(admin, 2), { userId: leaver.id, orgUnitId: unit('B') });
    const now = ids((await getCohortMembers(as(lead, 3), cohortId)).members);
    expect(now).toContain(mover.id);
    expect(now).not.toContain(leaver.id);
    const before = ids((await getCohortMembers(as(lead, 3), cohortId, { asOf: at(1) })).members);
    expect(before).toContain(leaver.id);
    expect(before).not.toContain(mover.id);
    // back to where they were, so the later figures stay simple
    await changeMembership(as(admin, 3), { userId: mover.id, orgUnitId: unit('B') });
    await changeMembership(as(admin, 3), { userId: leaver.id, orgUnitId: unit('A') });
  });

  test('as of a time before the cohort existed, returns whom its first rules would have taken in then', async () => {
    const { id } = await createCohort(as(admin, 3.5), { name: 'Später', orgUnits: [{ orgUnitId: unit('A1') }] });
    const mover = inB[2] as AuthUser;
    await changeMembership(as(admin, 3.6), { userId: mover.id, orgUnitId: unit('A1') });
    expect(ids((await getCohortMembers(as(admin, 3.7), id, { as: 'tenant.admin', asOf: at(1) })).members)).toEqual(idsOf(inA1));
    expect(ids((await getCohortMembers(as(admin, 3.7), id, { as: 'tenant.admin' })).members)).toEqual(idsOf([...inA1, mover]));
    await changeMembership(as(admin, 3.8), { userId: mover.id, orgUnitId: unit('B') });
    await endCohort(as(admin, 3.8), id);
  });

  test('an org unit without its sub-units takes in only that unit', async () => {
    const { id } = await createCohort(as(admin, 3), { name: 'Nur A', orgUnits: [{ orgUnitId: unit('A'), includeSubunits: false }] });
    expect(ids((await getCohortMembers(as(admin, 3), id, { as: 'tenant.admin' })).members)).toEqual(idsOf(inA));
  });

  test('refuses a cohort without units or people, and a unit or e-mail of another district', async () => {
    await expect(createCohort(as(admin, 3), { name: 'Leer' })).rejects.toBeInstanceOf(ValidationError);
    await expect(createCohort(as(admin, 3), { name: 'Fremd', orgUnits: [{ orgUnitId: 'nicht-da' }] })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(createCohort(as(admin, 3), { name: 'Fremd', emails: [foreignAdmin.email] })).rejects.toBeInstanceOf(NotFoundError);
  });

  test('writes every change to the audit log', async () => {
    const { id } = await createCohort(as(admin, 4), { name: 'Protokoll', orgUnits: [{ orgUnitId: unit('B') }] });
    await assignMultiplier(as(admin, 4), { cohortId: id, email: otherLead.email });
    await unassignMultiplier(as(admin, 4), { cohortId: id, userId: otherLead.id });
    await endCohort(as(admin, 4), id);
    const events = (await auditEventsAbout(t.db, otherLead.id)).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['cohort.multiplier-assigned', 'cohort.multiplier-unassigned']));
    const mine = (await auditEventsAbout(t.db, admin.id)).map((e) => e.type);
    expect(mine).toEqual(expect.arrayContaining(['cohort.created', 'cohort.ended']));
  });

  test('refuses a multiplier without the role, with a German message', async () => {
    await expect(assignMultiplier(as(admin, 4), { cohortId, email: (inA[0] as AuthUser).email })).rejects.toThrow(/Rolle KI-Multiplikator/);
  });

  test('finds multipliers by part of their e-mail, not other people', async () => {
    const found = await searchMultipliers(as(admin, 4), lead.email.slice(0, 8));
    expect(found.map((f) => f.userId)).toEqual([lead.id]);
    expect(await searchMultipliers(as(admin, 4), (inA[0] as AuthUser).email)).toEqual([]);
  });
});

describe('ending a cohort', () => {
  test('keeps its members as they were at the end, refuses new multipliers and shows it as ended', async () => {
    const { id } = await createCohort(as(admin, 5), { name: 'Endet', orgUnits: [{ orgUnitId: unit('B') }] });
    await assignMultiplier(as(admin, 5), { cohortId: id, email: otherLead.email });
    await endCohort(as(admin, 6), id);
    const mover = inA[0] as AuthUser;
    await changeMembership(as(admin, 7), { userId: mover.id, orgUnitId: unit('B') });
    const { cohort, members } = await getCohortMembers(as(otherLead, 8), id);
    expect(cohort.endedAt?.getTime()).toBe(at(6).getTime());
    expect(ids(members)).toEqual(idsOf(inB));
    await expect(assignMultiplier(as(admin, 8), { cohortId: id, email: lead.email })).rejects.toBeInstanceOf(ConflictError);
    await expect(endCohort(as(admin, 8), id)).rejects.toBeInstanceOf(ConflictError);
    const own = await listOwnCohorts(as(otherLead, 8));
    expect(own.find((c) => c.id === id)?.endedAt).not.toBeNull();
    const all = await listCohorts(as(admin, 8));
    expect(all.at(-1)?.endedAt).not.toBeNull();
    await changeMembership(as(admin, 8), { userId: mover.id, orgUnitId: unit('A') });
  });
});

describe('cohort dashboard', () => {
  beforeAll(async () => {
    await completeCourseWithAnswerKey(t.db, inA[0] as AuthUser, content, 'probe-kurs', at(10));
    await completeCourseWithAnswerKey(t.db, inA1[0] as AuthUser, content, 'probe-kurs', at(36));
    await completeLesson(as(inA[1] as AuthUser, 37), 'probe-kurs', 'lektion-1');
  });

  test('headline figures equal the counts of the status rule now and a month ago', async () => {
    const d = await getCohortDashboard(as(lead, 40), cohortId);
    const { members } = await getCohortMembers(as(lead, 40), cohortId);
    const count = async (asOf?: Date) => {
      const s = await getStatusAsOf(as(hr, 40), { asOf, userIds: members.map((m) => m.userId) });
      return {
        members: s.people.length,
        started: s.people.filter((p) => p.courses.some((c) => c.state === 'in-progress' || c.completedAt !== null || c.unitsDone > 0))
          .length,
        completedPath: s.people.filter((p) => p.path?.covered).length,
        overdue: s.people.filter((p) => p.path?.state === 'overdue').length,
        refresherDue: s.people.filter((p) => p.courses.some((c) => c.state === 'refresher-due')).length,
      };
    };
    expect(d.current).toEqual(await count());
    expect(d.before?.getTime()).toBeLessThan(at(10).getTime());
    expect(d.previous).toEqual(await count(d.before as Date));
    expect(d.current.completedPath).toBeGreaterThan(d.previous?.completedPath ?? 0);
    expect(d.current.members).toBe(7);
    // two completed, one with a lesson done (now overdue, still begun)
    expect(d.current.started).toBe(3);
    expect(d.weeks).toHaveLength(52);
    expect(d.weeks.reduce((s, w) => s + w.count, 0)).toBe(2);
    expect(d.courses.find((c) => c.courseId === 'probe-kurs')?.completed).toBe(2);
  });
});

describe('person × course matrix', () => {
  test('filters, sorts and pages only within the cohort', async () => {
    const m = await getCohortMatrix(as(lead), cohortId, { einheit: unit('A1'), sortierung: 'kurs-probe-kurs', richtung: 'ab' });
    expect(m.rows.map((r) => r.userId).sort()).toEqual(idsOf(inA1));
    expect(m.rows[0]?.userId).toBe(inA1[0]?.id);
    expect(m.rows[0]?.cells[0]?.state).toBe('completed');
  });

  test('ignores filter and page values that would widen the scope, with a note', async () => {
    // Amt B is a filter option only through the hand-picked person: it narrows to her, not to all of Amt B
    const outside = await getCohortMatrix(as(lead), cohortId, { einheit: unit('B'), seite: '999', sortierung: 'passwort' });
    expect(outside.rows.map((r) => r.userId)).toEqual([inB[0]?.id]);
    expect(outside.applied.seite).toBe(1);
    expect(outside.notes).toHaveLength(2);
    const foreign = await getCohortMatrix(as(lead), cohortId, {
      einheit: 'fremde-einheit',
      rolle: 'operator',
      status: 'alles',
      seite: 'x',
    });
    expect(foreign.notes).toHaveLength(4);
    expect(foreign.total).toBe(7);
    expect(foreign.applied.einheit).toBeNull();
  });

  test('exports CSV that German Excel opens, safe against formulas', async () => {
    const { csv } = await exportCohortMatrix(as(lead), cohortId, {});
    expect(csv.startsWith('\uFEFFName;E-Mail;')).toBe(true);
    expect(csv).toMatch(/\r\n/);
    expect(csv).toMatch(/abgeschlossen;\d{2}\.\d{2}\.\d{4}/);
  });

  test('shows no person where the district has not switched person-level views on', async () => {
    await t.db.update(tenantTable).set({ settings: {} }).where(eq(tenantTable.id, tenantId));
    try {
      const m = await getCohortMatrix(as(lead), cohortId, {});
      expect(m.personViews).toBe(false);
      expect(m.rows).toEqual([]);
      await expect(exportCohortMatrix(as(lead), cohortId, {})).rejects.toBeInstanceOf(ForbiddenError);
    } finally {
      await t.db
        .update(tenantTable)
        .set({ settings: { multiplierPersonViews: true } })
        .where(eq(tenantTable.id, tenantId));
    }
  });
});

describe('authorization', () => {
  const views = (ctx: Ctx, id: string) => [
    getCohortDashboard(ctx, id),
    getCohortMatrix(ctx, id, {}),
    getCohortMatrix(ctx, id, { seite: '2', einheit: unit('A') }),
    exportCohortMatrix(ctx, id, {}),
    getItemAnalysis(ctx, id, {}),
    getCohortMembers(ctx, id),
  ];

  test("another multiplier's cohort, another district's cohort and a tampered id are not found", async () => {
    for (const p of [...views(as(otherLead), cohortId), ...views(as(lead), foreignCohort), ...views(as(lead), tampered(cohortId))])
      await expect(p).rejects.toBeInstanceOf(NotFoundError);
  });

  test('learners and HR get no multiplier view; multipliers and other districts cannot manage cohorts', async () => {
    for (const u of [inA[0] as AuthUser, hr])
      for (const p of views(as(u), cohortId)) await expect(p).rejects.toBeInstanceOf(ForbiddenError);
    await expect(createCohort(as(lead), { name: 'Eigene', orgUnits: [{ orgUnitId: unit('A') }] })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(endCohort(as(lead), cohortId)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(listCohorts(as(lead))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(endCohort(as(foreignAdmin), cohortId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(assignMultiplier(as(foreignAdmin), { cohortId, email: lead.email })).rejects.toBeInstanceOf(NotFoundError);
    await expect(getCohortMembers(as(foreignAdmin), cohortId, { as: 'tenant.admin' })).rejects.toBeInstanceOf(NotFoundError);
    expect((await listCohorts(as(foreignAdmin))).map((c) => c.id)).toEqual([foreignCohort]);
  });

  test("authorize('cohort.view', { cohortId }) admits the cohort's multiplier only", async () => {
    expect((await authorize(as(lead), 'cohort.view', { cohortId })).cohortIds).toContain(cohortId);
    await expect(authorize(as(otherLead), 'cohort.view', { cohortId })).rejects.toBeInstanceOf(NotFoundError);
    await expect(authorize(as(lead), 'cohort.view', { cohortId: foreignCohort })).rejects.toBeInstanceOf(NotFoundError);
    await expect(authorize(as(hr), 'cohort.view', { cohortId })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(authorize(as(foreignAdmin), 'tenant.admin', { cohortId })).rejects.toBeInstanceOf(NotFoundError);
    expect((await authorize(as(admin), 'tenant.admin', { cohortId })).tenantId).toBe(tenantId);
  });

  test('an unassigned multiplier loses the cohort', async () => {
    const { id } = await createCohort(as(admin), { name: 'Kurz', orgUnits: [{ orgUnitId: unit('A') }] });
    await assignMultiplier(as(admin), { cohortId: id, email: otherLead.email });
    await getCohortDashboard(as(otherLead), id);
    await unassignMultiplier(as(admin), { cohortId: id, userId: otherLead.id });
    await expect(getCohortDashboard(as(otherLead), id)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('item analysis', () => {
  let small: string;
  beforeAll(async () => {
    // f-single: 6 of 7 members answer; A and A1 choose the wrong option b, the rest a
    await answer([...inA, inB[0] as AuthUser], 'f-single', { type: 'single', optionId: 'b' }, 0, 30);
    await answer(inA1.slice(0, 2), 'f-single', { type: 'single', optionId: 'a' }, 1, 30);
    // f-wahr: everyone answers "falsch" (wrong): one option only
    await answer([...inA, ...inA1], 'f-wahr', { type: 'truefalse', value: false }, 0, 39);
    // a cohort of 4
    small = (await createCohort(as(admin), { name: 'Klein', orgUnits: [{ orgUnitId: unit('B') }] })).id;
    await assignMultiplier(as(admin), { cohortId: small, email: lead.email });
    await answer(inB, 'f-single', { type: 'single', optionId: 'b' }, 0, 31);
  });

  test('lists the items most often answered wrongly with the share wrong and the most chosen wrong option', async () => {
    const a = await getItemAnalysis(as(lead), cohortId, {});
    expect(a.suppressed).toBe(false);
    const single = a.items.find((i) => i.itemId === 'f-single');
    expect(single).toMatchObject({ answered: 6, percentWrong: 67, mostChosenWrong: { text: 'Eine falsche Antwort', percent: 67 } });
    expect(single?.correctAnswer).toBe('Die richtige Antwort');
    expect(single?.lesson?.href).toMatch(/^\/kurse\/probe-kurs\//);
    expect(JSON.stringify(a)).not.toMatch(new RegExp(`${inA[0]?.id}|Person A0`));
  });

  test('shows no option distribution where all answers fall on one option', async () => {
    const a = await getItemAnalysis(as(lead), cohortId, {});
    const wahr = a.items.find((i) => i.itemId === 'f-wahr');
    expect(wahr?.mostChosenWrong).toBeNull();
    expect(wahr?.distributionNote).toMatch(/gleich geantwortet/);
  });

  test('suppresses a group of 4', async () => {
    const a = await getItemAnalysis(as(lead), small, {});
    expect(a.suppressed).toBe(true);
    expect(a.items).toEqual([]);
  });

  test('suppresses a filter that leaves fewer than the minimum, and one whose group differs from the cohort by fewer', async () => {
    // A1 has 3 members: too few
    const a1 = await getItemAnalysis(as(lead), cohortId, { einheit: unit('A1') });
    expect(a1.suppressed).toBe(true);
    // Sachbearbeitung: 4 members (A and the hand-picked person) — too few as well
    const role = await getItemAnalysis(as(lead), cohortId, { rolle: 'sachbearbeitung' });
    expect(role.suppressed).toBe(true);
    // with a minimum of 3: Sachbearbeitung (4 answering f-single) differs from the cohort (6) by 2 < 3 → suppressed
    await t.db
      .update(tenantTable)
      .set({ settings: { multiplierPersonViews: true, minGroupSize: 3 } })
      .where(eq(tenantTable.id, tenantId));
    try {
      const diff = await getItemAnalysis(as(lead), cohortId, { rolle: 'sachbearbeitung' });
      expect(diff.items.find((i) => i.itemId === 'f-single')).toBeUndefined();
      // Amt A (3 answering f-wahr) differs from the cohort (6) by 3: shown
      const amtA = await getItemAnalysis(as(lead), cohortId, { einheit: unit('A') });
      expect(amtA.items.find((i) => i.itemId === 'f-wahr')?.answered).toBe(3);
    } finally {
      await t.db
        .update(tenantTable)
        .set({ settings: { multiplierPersonViews: true } })
        .where(eq(tenantTable.id, tenantId));
    }
  });

  test('groups answers to an item of an earlier quiz version by its authored id, with the text of that version', async () => {
    const quiz = content.quizzes.get('probe-quiz');
    if (!quiz) throw new Error('fixture quiz missing');
    const retired = {
      ...quiz.quiz.items[0],
      id: 'f-frueher',
      prompt: 'Eine Frage, die es heute nicht mehr gibt.',
    } as (typeof quiz.quiz.items)[number];
    const earlier = {
      ...content,
      quizzes: new Map([['probe-quiz', { ...quiz, version: 'frueher', quiz: { ...quiz.quiz, items: [...quiz.quiz.items, retired] } }]]),
    };
    await archiveContent(t.db, earlier, at(20));
    await answer([...inA, ...inA1.slice(0, 2)], 'f-frueher', { type: 'single', optionId: 'b' }, 0, 21);
    await answer([inB[0] as AuthUser], 'f-frueher', { type: 'single', optionId: 'a' }, 1, 21);
    const item = (await getItemAnalysis(as(lead), cohortId, {})).items.find((i) => i.itemId === 'f-frueher');
    expect(item).toMatchObject({ prompt: 'Eine Frage, die es heute nicht mehr gibt.', answered: 6, percentWrong: 83 });
  });

  test('a minimum below 3 in the settings falls back to the default', async () => {
    await t.db
      .update(tenantTable)
      .set({ settings: { minGroupSize: 1 } })
      .where(eq(tenantTable.id, tenantId));
    try {
      expect((await getItemAnalysis(as(lead), small, {})).minGroupSize).toBe(5);
    } finally {
      await t.db
        .update(tenantTable)
        .set({ settings: { multiplierPersonViews: true } })
        .where(eq(tenantTable.id, tenantId));
    }
  });
});

describe('learner', () => {
  test('sees the multipliers of the cohorts they belong to', async () => {
    const mine = await getMyMultipliers(as(inA1[1] as AuthUser));
    expect(mine).toEqual([{ name: 'Mia Multi', email: lead.email, cohorts: ['Amt A'] }]);
    expect(await getMyMultipliers(as(hr))).toEqual([]);
  });
});

describe('multiplier settings', () => {
  test('the admin switches person-level views and the minimum group size; below 3 is refused', async () => {
    await updateMultiplierSettings(as(admin), { personViews: false, minGroupSize: 7 });
    expect(await getMultiplierSettings(as(admin))).toEqual({ personViews: false, minGroupSize: 7 });
    expect((await getCohortMatrix(as(lead), cohortId, {})).personViews).toBe(false);
    expect((await getItemAnalysis(as(lead), cohortId, {})).minGroupSize).toBe(7);
    await expect(updateMultiplierSettings(as(admin), { personViews: true, minGroupSize: 2 })).rejects.toBeInstanceOf(ValidationError);
    await expect(updateMultiplierSettings(as(lead), { personViews: true, minGroupSize: 5 })).rejects.toBeInstanceOf(ForbiddenError);
    await updateMultiplierSettings(as(admin), { personViews: true, minGroupSize: 5 });
    expect((await getCohortMatrix(as(lead), cohortId, {})).personViews).toBe(true);
    expect((await auditEventsAbout(t.db, admin.id)).map((e) => e.type)).toContain('tenant.multiplier-settings-changed');
  });
});

describe('matrix pages', () => {
  test('shows 50 rows a page and clamps page numbers outside the range, with a note', async () => {
    await ensureTenant(t.db, { slug, name: 'Landkreis Kohorte' }, [{ code: 'C', name: 'Amt C' }]);
    const [c] = await t.db.query.orgUnitTable.findMany({
      where: (u, { and: all, eq: is }) => all(is(u.tenantId, tenantId), is(u.code, 'C')),
    });
    for (let i = 0; i < 53; i++) await makeUser(t.db, { tenant: slug, orgUnitId: c?.id, name: `Person C${String(i).padStart(2, '0')}` });
    const { id } = await createCohort(as(admin), { name: 'Groß', orgUnits: [{ orgUnitId: c?.id as string }] });
    await assignMultiplier(as(admin), { cohortId: id, email: lead.email });
    const first = await getCohortMatrix(as(lead), id, {});
    expect([first.total, first.pages, first.rows.length, first.rows[0]?.name]).toEqual([53, 2, 50, 'Person C00']);
    const second = await getCohortMatrix(as(lead), id, { seite: '2' });
    expect(second.rows.map((r) => r.name)).toEqual(['Person C50', 'Person C51', 'Person C52']);
    const down = await getCohortMatrix(as(lead), id, { seite: '2', richtung: 'ab' });
    expect(down.rows.map((r) => r.name)).toEqual(['Person C02', 'Person C01', 'Person C00']);
    for (const seite of ['0', '-1', '1e9', 'zwei']) {
      const m = await getCohortMatrix(as(lead), id, { seite });
      expect(m.applied.seite).toBe(1);
      expect(m.notes.length).toBe(1);
    }
    const beyond = await getCohortMatrix(as(lead), id, { seite: '7' });
    expect([beyond.applied.seite, beyond.rows.length]).toEqual([2, 3]);
    const { csv } = await exportCohortMatrix(as(lead), id, { seite: '1' });
    expect(csv.trim().split('\r\n')).toHaveLength(54);
  });
});
