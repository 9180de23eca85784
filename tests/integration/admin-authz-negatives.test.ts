/**
 * Negative authorization cases of every administration verb: another district's ids, the hr, multiplier, learner and
 * staff-council roles, an admin scoped to a subtree acting outside it, and tampered ids all end in Forbidden or a
 * NotFound that reveals nothing; nothing is written.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Ctx, personContext } from '../../src/lib/server/context.ts';
import { ForbiddenError, NotFoundError } from '../../src/lib/server/errors/domain-errors.ts';
import { closeOrgUnit, previewCloseOrgUnit } from '../../src/lib/server/tenancy/close-org-unit.ts';
import { createOrgUnit } from '../../src/lib/server/tenancy/create-org-unit.ts';
import { getOrgTree } from '../../src/lib/server/tenancy/get-org-tree.ts';
import { moveOrgUnit } from '../../src/lib/server/tenancy/move-org-unit.ts';
import { renameOrgUnit } from '../../src/lib/server/tenancy/rename-org-unit.ts';
import { changeMembership } from '../../src/lib/server/users/change-membership.ts';
import { createPerson } from '../../src/lib/server/users/create-person.ts';
import { erasePerson } from '../../src/lib/server/users/erase-person.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { getPerson } from '../../src/lib/server/users/get-person.ts';
import { saveImportMapping } from '../../src/lib/server/users/import/import-mapping.ts';
import { applyImport, previewImport } from '../../src/lib/server/users/import/import-people.ts';
import { discardImportUpload, getImportUpload, stageImportUpload } from '../../src/lib/server/users/import/import-upload.ts';
import { listPeople } from '../../src/lib/server/users/list-people.ts';
import { setPersonActive } from '../../src/lib/server/users/set-person-active.ts';
import { setPersonRoles } from '../../src/lib/server/users/set-person-roles.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
let t: TestDb;
let home: Awaited<ReturnType<typeof makeTenant>>;
let other: Awaited<ReturnType<typeof makeTenant>>;
let admin: AuthUser;
let foreignAdmin: AuthUser;
let scopedAdmin: AuthUser;
let inB: AuthUser;
let foreignPerson: AuthUser;
let roleHolders: AuthUser[];
let uploadId: string;
const as = (u: AuthUser): Ctx => personContext(t.db, u, content);
const tampered = (id: string): string => `${id.slice(0, -1)}${id.endsWith('0') ? '1' : '0'}`;
const file = Buffer.from('E-Mail;Name\nneu@lk.example;Neue Person\n');

/** Every admin verb, called with the given target ids. */
function verbs(ids: { unit: string; person: string; upload: string }): Array<[string, (c: Ctx) => Promise<unknown>]> {
  return [
    ['createOrgUnit below', (c) => createOrgUnit(c, { code: 'X', name: 'Neue Einheit', parentId: ids.unit })],
    ['renameOrgUnit', (c) => renameOrgUnit(c, { orgUnitId: ids.unit, code: 'X', name: 'Umbenannt' })],
    ['moveOrgUnit', (c) => moveOrgUnit(c, { orgUnitId: ids.unit, parentId: null })],
    ['previewCloseOrgUnit', (c) => previewCloseOrgUnit(c, { orgUnitId: ids.unit })],
    ['closeOrgUnit', (c) => closeOrgUnit(c, { orgUnitId: ids.unit })],
    ['getPerson', (c) => getPerson(c, ids.person)],
    ['changeMembership', (c) => changeMembership(c, { userId: ids.person, jobRole: 'fuehrungskraft' })],
    ['setPersonRoles', (c) => setPersonRoles(c, { userId: ids.person, grants: [{ role: 'admin' }] })],
    ['setPersonActive', (c) => setPersonActive(c, { userId: ids.person, active: false })],
    ['erasePerson', (c) => erasePerson(c, ids.person)],
    [
      'createPerson in unit',
      (c) => createPerson(c, { name: 'Neu', email: 'neu2@lk.example', jobRole: 'sachbearbeitung', orgUnitId: ids.unit }),
    ],
    ['getImportUpload', (c) => getImportUpload(c, ids.upload)],
    ['discardImportUpload', (c) => discardImportUpload(c, ids.upload)],
  ];
}

async function writes(): Promise<string> {
  const [r] = await t.db.all<{ s: string }>(sql`SELECT
    (SELECT count(*) FROM users) || '/' || (SELECT count(*) FROM learning_events) || '/' || (SELECT count(*) FROM audit_events) || '/' ||
    (SELECT count(*) FROM org_units) || '/' || (SELECT group_concat(name) FROM org_units) || '/' || (SELECT count(*) FROM import_uploads) AS s`);
  return r?.s ?? '';
}

beforeAll(async () => {
  t = await createTestDb();
  home = await makeTenant(t.db);
  other = await makeTenant(t.db);
  admin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
  foreignAdmin = await makeUser(t.db, { tenant: other.slug, roles: ['admin'] });
  foreignPerson = await makeUser(t.db, { tenant: other.slug, orgUnitId: other.orgUnitIds.get('A') });
  inB = await makeUser(t.db, { tenant: home.slug, orgUnitId: home.orgUnitIds.get('B') });
  scopedAdmin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'], orgUnitId: home.orgUnitIds.get('A') });
  await t.db.run(sql`UPDATE user_roles SET scope_org_unit_id = ${home.orgUnitIds.get('A')} WHERE user_id = ${scopedAdmin.id}`);
  roleHolders = [
    await makeUser(t.db, { tenant: home.slug, roles: ['hr'] }),
    await makeUser(t.db, { tenant: home.slug, roles: ['multiplier'] }),
    await makeUser(t.db, { tenant: home.slug, roles: ['learner'] }),
    await makeUser(t.db, { tenant: home.slug, roles: ['staff-council'] }),
  ];
  uploadId = (await stageImportUpload(as(admin), { fileName: 'personal.csv', content: file })).id;
});
afterAll(() => t.cleanup());

describe('administration verbs refuse', () => {
  test("another district's admin acting on this district's ids: not found, nothing written", async () => {
    const before = await writes();
    for (const [name, call] of verbs({ unit: home.orgUnitIds.get('A') as string, person: inB.id, upload: uploadId }))
      await expect(call(as(foreignAdmin)), name).rejects.toThrow(NotFoundError);
    expect(await writes()).toBe(before);
  });

  test("this district's admin acting on another district's ids: not found", async () => {
    const before = await writes();
    const foreignUpload = (await stageImportUpload(as(foreignAdmin), { fileName: 'x.csv', content: file })).id;
    const after = await writes();
    for (const [name, call] of verbs({ unit: other.orgUnitIds.get('A') as string, person: foreignPerson.id, upload: foreignUpload }))
      await expect(call(as(admin)), name).rejects.toThrow(NotFoundError);
    expect(await writes()).toBe(after);
    expect(after).not.toBe(before);
  });

  test('hr, multiplier, learner and staff council: forbidden for every verb, the list, the tree and the import', async () => {
    const before = await writes();
    for (const u of roleHolders) {
      for (const [name, call] of verbs({ unit: home.orgUnitIds.get('A') as string, person: inB.id, upload: uploadId }))
        await expect(call(as(u)), `${u.roles.join(',')}: ${name}`).rejects.toThrow(ForbiddenError);
      await expect(listPeople(as(u))).rejects.toThrow(ForbiddenError);
      await expect(getOrgTree(as(u))).rejects.toThrow(ForbiddenError);
      await expect(createOrgUnit(as(u), { code: 'X', name: 'Oben' })).rejects.toThrow(ForbiddenError);
      await expect(previewImport(as(u), { file })).rejects.toThrow(ForbiddenError);
      await expect(applyImport(as(u), { file })).rejects.toThrow(ForbiddenError);
      await expect(saveImportMapping(as(u), { columns: { a: 'email' } })).rejects.toThrow(ForbiddenError);
      await expect(stageImportUpload(as(u), { fileName: 'a.csv', content: file })).rejects.toThrow(ForbiddenError);
    }
    expect(await writes()).toBe(before);
  });

  test('an admin scoped to a subtree acting outside it: not found (or forbidden at the top of the district)', async () => {
    const before = await writes();
    for (const [name, call] of verbs({ unit: home.orgUnitIds.get('B') as string, person: inB.id, upload: uploadId }))
      await expect(call(as(scopedAdmin)), name).rejects.toThrow(NotFoundError);
    await expect(createOrgUnit(as(scopedAdmin), { code: 'TOP', name: 'Oberste Ebene' })).rejects.toThrow(ForbiddenError);
    await expect(
      moveOrgUnit(as(scopedAdmin), { orgUnitId: home.orgUnitIds.get('A') as string, parentId: home.orgUnitIds.get('B') }),
    ).rejects.toThrow(NotFoundError);
    await expect(
      createPerson(as(scopedAdmin), { name: 'Ohne Einheit', email: 'ohne@lk.example', jobRole: 'sachbearbeitung' }),
    ).rejects.toThrow(ForbiddenError);
    expect(await writes()).toBe(before);
  });

  test('tampered ids: not found', async () => {
    for (const [name, call] of verbs({
      unit: tampered(home.orgUnitIds.get('A') as string),
      person: tampered(inB.id),
      upload: tampered(uploadId),
    }))
      await expect(call(as(admin)), name).rejects.toThrow(NotFoundError);
  });
});
