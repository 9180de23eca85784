/**
 * The membership history on the person page: org unit, job role, status, role and cohort changes from the learning
 * record with effective and recorded dates (a back-dated move shows both), newest first, paginated; another
 * district's or an out-of-scope person is not found.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCohort } from '../../src/lib/server/cohorts/create-cohort.ts';
import { type Ctx, personContext, systemContext } from '../../src/lib/server/context.ts';
import { ForbiddenError, NotFoundError } from '../../src/lib/server/errors/domain-errors.ts';
import { createOrgUnit } from '../../src/lib/server/tenancy/create-org-unit.ts';
import { changeMembership } from '../../src/lib/server/users/change-membership.ts';
import { createPerson } from '../../src/lib/server/users/create-person.ts';
import { erasePerson } from '../../src/lib/server/users/erase-person.ts';
import { type AuthUser, getAuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { getMembershipHistory, HISTORY_PAGE_SIZE } from '../../src/lib/server/users/membership-history.ts';
import { setPersonActive } from '../../src/lib/server/users/set-person-active.ts';
import { setPersonRoles } from '../../src/lib/server/users/set-person-roles.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
let t: TestDb;
let home: Awaited<ReturnType<typeof makeTenant>>;
let admin: AuthUser;
let clock = new Date('2026-11-01T09:00:00Z');
const as = (u: AuthUser): Ctx => personContext(t.db, u, content, () => clock);
let n = 0;
/** A person created by the admin at the test clock. */
async function person(name: string, orgUnitId: string): Promise<AuthUser> {
  const { id } = await createPerson(as(admin), { name, email: `verlauf-${++n}@test.example`, jobRole: 'sachbearbeitung', orgUnitId });
  return (await getAuthUser(t.db, id)) as AuthUser;
}

beforeAll(async () => {
  t = await createTestDb();
  home = await makeTenant(t.db);
  admin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
});
afterAll(() => t.cleanup());

describe('getMembershipHistory', () => {
  test('names each change with its effective and recorded date, newest first, cohorts joined and left', async () => {
    const unitA = home.orgUnitIds.get('A') as string;
    const unitB = home.orgUnitIds.get('B') as string;
    await createCohort(as(admin), { name: 'Pilotgruppe Amt B', orgUnits: [{ orgUnitId: unitB }] });
    const p = await person('Wechsel Person', unitA);
    clock = new Date('2026-11-20T10:00:00Z');
    // recorded on 20 Nov, effective since 10 Nov
    await changeMembership(as(admin), { userId: p.id, orgUnitId: unitB, effectiveAt: new Date('2026-11-10T00:00:00Z') });
    clock = new Date('2026-11-21T10:00:00Z');
    await changeMembership(as(admin), { userId: p.id, jobRole: 'fuehrungskraft' });
    await setPersonRoles(as(admin), { userId: p.id, grants: [{ role: 'learner' }, { role: 'hr', scopeOrgUnitId: unitB }] });
    clock = new Date('2026-11-22T10:00:00Z');
    await setPersonActive(as(admin), { userId: p.id, active: false });
    const h = await getMembershipHistory(as(admin), p.id);
    expect(h.entries.map((e) => e.kind)).toEqual(['Mitgliedschaft', 'Rollen', 'Mitgliedschaft', 'Mitgliedschaft', 'Angelegt']);
    const [off, roles, job, move, created] = h.entries;
    expect(off?.changes).toEqual(['Konto: deaktiviert', 'Kohorte verlassen: Pilotgruppe Amt B']);
    expect(roles?.changes).toEqual(['Rollen: Lernende → Lernende, Personal (nur B – Amt B)']);
    expect(job?.changes).toEqual(['Tätigkeitsprofil: Sachbearbeitung → Führungskraft']);
    expect(move?.changes).toEqual(['Organisationseinheit: A – Amt A → B – Amt B', 'Kohorte aufgenommen: Pilotgruppe Amt B']);
    expect(move?.effectiveAt.toISOString()).toBe('2026-11-10T00:00:00.000Z');
    expect(move?.recordedAt.toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(created?.changes).toEqual(['Organisationseinheit: A – Amt A', 'Tätigkeitsprofil: Sachbearbeitung', 'Rollen: Lernende']);
  });

  test('a change recorded again unchanged adds no entry; erasure is an entry; many changes are paginated', async () => {
    const p = await person('Viel Wechsel', home.orgUnitIds.get('A') as string);
    await changeMembership(as(admin), { userId: p.id, orgUnitId: home.orgUnitIds.get('A') });
    expect((await getMembershipHistory(as(admin), p.id)).total).toBe(1);
    for (let i = 0; i < HISTORY_PAGE_SIZE + 2; i++)
      await changeMembership(as(admin), { userId: p.id, jobRole: i % 2 === 0 ? 'fuehrungskraft' : 'sachbearbeitung' });
    await erasePerson(as(admin), p.id);
    const first = await getMembershipHistory(as(admin), p.id);
    expect(first.total).toBe(HISTORY_PAGE_SIZE + 4);
    expect(first.pages).toBe(2);
    expect(first.entries).toHaveLength(HISTORY_PAGE_SIZE);
    expect(first.entries[0]?.kind).toBe('Gelöscht');
    const second = await getMembershipHistory(as(admin), p.id, { page: '2' });
    expect(second.entries.at(-1)?.kind).toBe('Angelegt');
    expect((await getMembershipHistory(as(admin), p.id, { page: 'x' })).page).toBe(1);
    expect((await getMembershipHistory(as(admin), p.id, { page: '99' })).page).toBe(2);
  });

  test("another district's admin, an out-of-scope admin and a tampered id get not found; a learner is refused", async () => {
    const p = await makeUser(t.db, { tenant: home.slug, orgUnitId: home.orgUnitIds.get('A') });
    const other = await makeTenant(t.db);
    const otherAdmin = await makeUser(t.db, { tenant: other.slug, roles: ['admin'] });
    await expect(getMembershipHistory(as(otherAdmin), p.id)).rejects.toThrow(NotFoundError);
    const sub = (await createOrgUnit(as(admin), { code: 'B-9', name: 'Sachgebiet B9', parentId: home.orgUnitIds.get('B') })).id;
    const scoped = await makeUser(t.db, { tenant: home.slug });
    await setPersonRoles(as(admin), { userId: scoped.id, grants: [{ role: 'learner' }, { role: 'admin', scopeOrgUnitId: sub }] });
    await expect(getMembershipHistory(as((await getAuthUser(t.db, scoped.id)) as AuthUser), p.id)).rejects.toThrow(NotFoundError);
    await expect(getMembershipHistory(as(admin), `${p.id.slice(0, -1)}x`)).rejects.toThrow(NotFoundError);
    await expect(getMembershipHistory(as(p), p.id)).rejects.toThrow(ForbiddenError);
    await expect(getMembershipHistory(systemContext(t.db, content, { tenantId: other.id }), p.id)).rejects.toThrow(NotFoundError);
  });
});
