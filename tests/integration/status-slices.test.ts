/**
 * The status of a district computed slice by slice of people (statusInSlices, what exports read) equals the whole
 * computation, for a district with more people than one slice: now from the record and from the projections, a
 * past date with an earlier recording cut-off, and an HR grant limited to one org unit. An export prepared from
 * small slices holds the same records in the same order, with the same figures and fingerprint, as one from a
 * single slice.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { authorize } from '../../src/lib/server/authz/authorize.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { type Ctx, personContext } from '../../src/lib/server/context.ts';
import { completeCourseWithAnswerKey } from '../../src/lib/server/demo/seed-demo-learning.ts';
import { archiveContent } from '../../src/lib/server/evidence/content-archive.ts';
import { computeStatusAsOf, type PersonStatus, statusInSlices } from '../../src/lib/server/evidence/status-as-of.ts';
import { berlinDay } from '../../src/lib/server/hr/evidence-dates.ts';
import { prepareEvidenceExport } from '../../src/lib/server/hr/prepare-evidence-export.ts';
import { assignPath } from '../../src/lib/server/learning/assign-path.ts';
import { completeLesson } from '../../src/lib/server/learning/lesson-progress.ts';
import { changeMembership } from '../../src/lib/server/users/change-membership.ts';
import { erasePerson } from '../../src/lib/server/users/erase-person.ts';
import { type AuthUser, getAuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { setPersonRoles } from '../../src/lib/server/users/set-person-roles.ts';
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

const at = (days: number): Date => new Date(base + days * DAY);
const as = (user: AuthUser, day: number): Ctx => personContext(t.db, user, content, () => at(day));
const byId = (list: readonly PersonStatus[]) => [...list].sort((a, b) => (a.userId < b.userId ? -1 : 1));

beforeAll(async () => {
  t = await createTestDb();
  configureCertificateIssuing({ keyDir: mkdtempSync(join(tmpdir(), 'kiko-keys-')) });
  base = Date.now() + 60_000;
  await archiveContent(t.db, content, new Date(base - 1000));
  tenant = await makeTenant(t.db);
  admin = await makeUser(t.db, { tenant: tenant.slug, roles: ['admin'] });
  hr = await makeUser(t.db, { tenant: tenant.slug, roles: ['hr'] });
  people = [];
  for (let i = 0; i < 13; i++)
    people.push(
      await makeUser(t.db, {
        tenant: tenant.slug,
        orgUnitId: tenant.orgUnitIds.get(i % 3 === 0 ? 'B' : 'A'),
        name: ['Özdemir', 'Aal', 'Zander', 'Ärmel', 'Meier'][i % 5],
        jobRole: i % 4 === 0 ? 'fuehrungskraft' : 'sachbearbeitung',
      }),
    );
  const p = (i: number): AuthUser => people[i] as AuthUser;
  await completeCourseWithAnswerKey(t.db, p(0), content, 'probe-kurs', at(1));
  await completeCourseWithAnswerKey(t.db, p(5), content, 'probe-kurs', at(1.5));
  await completeLesson(as(p(1), 2), 'probe-kurs', 'lektion-1');
  await completeLesson(as(p(7), 2), 'probe-kurs', 'lektion-1');
  await assignPath(as(admin, 3), { pathId: 'fuehrung', userId: p(2).id, dueOn: berlinDay(at(10)) });
  await assignPath(as(admin, 4), { pathId: 'fuehrung', orgUnitId: tenant.orgUnitIds.get('B') });
  // a move entered later, effective earlier; a person who has no org unit any more; an erased person
  await changeMembership(as(admin, 5), { userId: p(3).id, orgUnitId: tenant.orgUnitIds.get('A'), effectiveAt: at(1.6) });
  await erasePerson(as(admin, 6), p(8).id);
  await completeLesson(as(p(9), 7), 'probe-kurs', 'lektion-2');
});
afterAll(() => t.cleanup());

async function sliced(ctx: Ctx, opts: { asOf: Date; recordedBy?: Date; current?: boolean }, sliceSize: number) {
  const scope = await authorize(ctx, 'hr.view');
  const s = await statusInSlices(ctx, scope, { ...opts, sliceSize });
  const out: PersonStatus[] = [];
  let slices = 0;
  for await (const slice of s.slices()) {
    out.push(...slice);
    slices++;
  }
  return { people: out, pathVersions: s.pathVersions, slices };
}

async function whole(ctx: Ctx, opts: { asOf: Date; recordedBy?: Date; current?: boolean }) {
  const scope = await authorize(ctx, 'hr.view');
  const s = await computeStatusAsOf(ctx, scope, { ...opts, keep: false });
  return { people: s.people, pathVersions: s.pathVersions };
}

describe('status in slices of people', () => {
  test('equals the whole computation, now and as of a past date with an earlier cut-off, from the record and the projections', async () => {
    const ctx = as(hr, 9);
    const questions = [
      { asOf: at(9), recordedBy: at(9) },
      { asOf: at(9), recordedBy: at(9), current: true },
      { asOf: at(4.5), recordedBy: at(5.5) },
      { asOf: at(1.7), recordedBy: at(9) },
    ];
    for (const q of questions) {
      const all = await whole(ctx, q);
      // 15 people of the district (admin, HR, 13 staff)
      expect(all.people.length).toBe(15);
      for (const size of [1, 4, 7, 100]) {
        const s = await sliced(ctx, q, size);
        expect(s.slices).toBe(Math.ceil(15 / size));
        expect(byId(s.people)).toEqual(byId(all.people));
        expect(s.pathVersions).toEqual(all.pathVersions);
      }
    }
  });

  test('within an HR grant limited to one org unit holds only its people, as the whole computation does', async () => {
    const unitHr = await makeUser(t.db, { tenant: tenant.slug });
    await setPersonRoles(as(admin, 9), { userId: unitHr.id, grants: [{ role: 'hr', scopeOrgUnitId: tenant.orgUnitIds.get('B') }] });
    const ctx = as((await getAuthUser(t.db, unitHr.id)) as AuthUser, 9);
    const q = { asOf: at(9), recordedBy: at(9) };
    const all = await whole(ctx, q);
    const s = await sliced(ctx, q, 3);
    expect(all.people.length).toBeGreaterThan(3);
    expect(all.people.every((p) => p.orgUnitId === tenant.orgUnitIds.get('B'))).toBe(true);
    expect(byId(s.people)).toEqual(byId(all.people));
  });

  test('an export prepared from small slices equals one prepared from a single slice', async () => {
    for (const input of [
      { asOf: at(9), recordedBy: at(9) },
      { asOf: at(9), recordedBy: at(9), orgUnitId: tenant.orgUnitIds.get('A'), jobRole: 'sachbearbeitung' },
      { asOf: at(4.5), recordedBy: at(5.5), status: 'not-due' as const },
      { asOf: at(9), recordedBy: at(9), period: { from: at(1.8), to: at(8) } },
    ]) {
      const one = await prepareEvidenceExport(as(hr, 10), input, { sliceSize: 1000 });
      const small = await prepareEvidenceExport(as(hr, 10), input, { sliceSize: 2 });
      expect(small.head).toEqual(one.head);
      expect(small.count).toBe(one.count);
      expect([...small.people()]).toEqual([...one.people()]);
      expect(small.fingerprint).toBe(one.fingerprint);
      // walked twice (the XLSX does), the same records come back
      expect([...small.peopleJson()]).toEqual([...small.peopleJson()]);
      one.close();
      small.close();
    }
    const all = await prepareEvidenceExport(as(hr, 10), { asOf: at(9), recordedBy: at(9) }, { sliceSize: 2 });
    // the records come in org unit and German name order, whatever slice computed them
    const order = new Intl.Collator('de').compare;
    const keys = [...all.people()].map((p) => [p.orgUnit?.code ?? '\uffff', p.name, p.id] as const);
    expect(keys.length).toBeGreaterThan(10);
    expect(keys.map((k) => k[1])).toContain('Ärmel');
    expect(keys).toEqual([...keys].sort((a, b) => order(a[0], b[0]) || order(a[1], b[1]) || (a[2] < b[2] ? -1 : 1)));
    all.close();
  });
});
