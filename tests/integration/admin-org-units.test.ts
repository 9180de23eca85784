/** The org tree verbs: create, rename, move (never into a cycle), close (empty, or carrying its people along). */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { learningEventTable, orgUnitTable, pathAssignmentTable, userRoleTable, userTable } from '../../db/schema/index.ts';
import { verifyAuditChain } from '../../src/lib/server/audit/verify-audit-chain.ts';
import { type Ctx, personContext } from '../../src/lib/server/context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../src/lib/server/errors/domain-errors.ts';
import { getStatusAsOf } from '../../src/lib/server/evidence/status-as-of.ts';
import { assignPath } from '../../src/lib/server/learning/assign-path.ts';
import { closeOrgUnit, previewCloseOrgUnit } from '../../src/lib/server/tenancy/close-org-unit.ts';
import { createOrgUnit } from '../../src/lib/server/tenancy/create-org-unit.ts';
import { getOrgTree } from '../../src/lib/server/tenancy/get-org-tree.ts';
import { listOrgUnits } from '../../src/lib/server/tenancy/list-org-units.ts';
import { moveOrgUnit } from '../../src/lib/server/tenancy/move-org-unit.ts';
import { renameOrgUnit } from '../../src/lib/server/tenancy/rename-org-unit.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
let t: TestDb;
let home: Awaited<ReturnType<typeof makeTenant>>;
let admin: AuthUser;
const as = (u: AuthUser, clock?: () => Date): Ctx => personContext(t.db, u, content, clock);

beforeAll(async () => {
  t = await createTestDb();
  home = await makeTenant(t.db);
  admin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
});
afterAll(() => t.cleanup());

describe('createOrgUnit / renameOrgUnit', () => {
  test('creates a sub-unit, renames it, and refuses a code the district already uses', async () => {
    const { id } = await createOrgUnit(as(admin), { code: 'A-1', name: 'Sachgebiet A 1', parentId: home.orgUnitIds.get('A') });
    await renameOrgUnit(as(admin), { orgUnitId: id, code: 'A-10', name: 'Sachgebiet Zehn' });
    const tree = await getOrgTree(as(admin));
    const unit = tree.open.find((u) => u.id === id);
    expect(unit).toMatchObject({ code: 'A-10', name: 'Sachgebiet Zehn', depth: 1, parentId: home.orgUnitIds.get('A') });
    await expect(createOrgUnit(as(admin), { code: 'A-10', name: 'Doppelt' })).rejects.toThrow(ConflictError);
    await expect(renameOrgUnit(as(admin), { orgUnitId: id, code: 'B', name: 'Doppelt' })).rejects.toThrow(/schon vergeben/);
  });
});

describe('moveOrgUnit', () => {
  test('moves a unit below another and refuses to move it below itself or its own sub-unit', async () => {
    const top = await createOrgUnit(as(admin), { code: 'D1', name: 'Dezernat 1' });
    const amt = await createOrgUnit(as(admin), { code: 'D1-A', name: 'Amt 1', parentId: top.id });
    const sg = await createOrgUnit(as(admin), { code: 'D1-A-S', name: 'Sachgebiet 1', parentId: amt.id });
    await expect(moveOrgUnit(as(admin), { orgUnitId: top.id, parentId: sg.id })).rejects.toThrow(ValidationError);
    await expect(moveOrgUnit(as(admin), { orgUnitId: top.id, parentId: top.id })).rejects.toThrow(/nicht unter sich selbst/);
    await moveOrgUnit(as(admin), { orgUnitId: sg.id, parentId: home.orgUnitIds.get('B') });
    const [row] = await t.db.select().from(orgUnitTable).where(eq(orgUnitTable.id, sg.id));
    expect(row?.parentId).toBe(home.orgUnitIds.get('B'));
    await moveOrgUnit(as(admin), { orgUnitId: sg.id, parentId: null });
    const [top2] = await t.db.select().from(orgUnitTable).where(eq(orgUnitTable.id, sg.id));
    expect(top2?.parentId).toBeNull();
  });
});

describe('closeOrgUnit', () => {
  test('closes an empty unit at once; it disappears from selections', async () => {
    const { id } = await createOrgUnit(as(admin), { code: 'LEER', name: 'Leere Einheit' });
    const preview = await previewCloseOrgUnit(as(admin), { orgUnitId: id });
    expect(preview.people).toEqual([]);
    await closeOrgUnit(as(admin), { orgUnitId: id });
    expect((await listOrgUnits(as(admin))).some((u) => u.id === id)).toBe(false);
    expect((await getOrgTree(as(admin))).closed.some((u) => u.id === id)).toBe(true);
    await expect(closeOrgUnit(as(admin), { orgUnitId: id })).rejects.toThrow(NotFoundError);
  });

  test('refuses to close a unit with people without a target, and carries them with facts in the record', async () => {
    const from = await createOrgUnit(as(admin), { code: 'ALT', name: 'Altes Amt' });
    const to = await createOrgUnit(as(admin), { code: 'NEU', name: 'Neues Amt' });
    const p1 = await makeUser(t.db, { tenant: home.slug, orgUnitId: from.id, name: 'Erika Alt' });
    const p2 = await makeUser(t.db, { tenant: home.slug, orgUnitId: from.id, name: 'Bernd Alt' });
    const hr = await makeUser(t.db, { tenant: home.slug, roles: ['hr'] });
    await t.db.update(userRoleTable).set({ scopeOrgUnitId: from.id }).where(eq(userRoleTable.userId, hr.id));
    await expect(closeOrgUnit(as(admin), { orgUnitId: from.id })).rejects.toThrow(/Bitte wählen Sie die Einheit/);
    await assignPath(as(admin), { pathId: 'fuehrung', orgUnitId: from.id });
    const preview = await previewCloseOrgUnit(as(admin), { orgUnitId: from.id, targetId: to.id });
    expect(preview.people.map((p) => p.name)).toEqual(['Bernd Alt', 'Erika Alt']);
    expect(preview.scopedGrants).toBe(1);
    expect(preview.pathAssignments).toEqual(['fuehrung']);
    const before = new Date();
    const { moved } = await closeOrgUnit(
      as(admin, () => new Date(before.getTime() + 1000)),
      { orgUnitId: from.id, targetId: to.id },
    );
    expect(moved).toBe(2);
    const rows = await t.db.select().from(userTable).where(eq(userTable.orgUnitId, to.id));
    expect(rows.map((r) => r.id).sort()).toEqual([p1.id, p2.id].sort());
    const facts = await t.db
      .select()
      .from(learningEventTable)
      .where(and(eq(learningEventTable.userId, p1.id), eq(learningEventTable.type, 'membership.changed')));
    expect(facts.map((f) => (f.data as { orgUnitId: string }).orgUnitId)).toEqual([from.id, to.id]);
    expect(await t.db.select().from(pathAssignmentTable).where(eq(pathAssignmentTable.orgUnitId, from.id))).toEqual([]);
    const unassigned = await t.db
      .select()
      .from(learningEventTable)
      .where(and(eq(learningEventTable.orgUnitId, from.id), eq(learningEventTable.type, 'path.unassigned')));
    expect(unassigned).toHaveLength(1);
    const [grant] = await t.db.select().from(userRoleTable).where(eq(userRoleTable.userId, hr.id));
    expect(grant?.scopeOrgUnitId).toBe(to.id);
    // evidence for a date before the move keeps the old unit
    const hrAll = await makeUser(t.db, { tenant: home.slug, roles: ['hr'] });
    const then = await getStatusAsOf(as(hrAll), { asOf: before, userIds: [p1.id] });
    expect(then.people[0]?.orgUnitId).toBe(from.id);
    const now = await getStatusAsOf(as(hrAll), { userIds: [p1.id] });
    expect(now.people[0]?.orgUnitId).toBe(to.id);
    expect((await verifyAuditChain(t.db, home.id)).ok).toBe(true);
  });

  test('refuses to close a unit with open sub-units', async () => {
    const parent = await createOrgUnit(as(admin), { code: 'P', name: 'Mit Untereinheit' });
    await createOrgUnit(as(admin), { code: 'P-1', name: 'Untereinheit', parentId: parent.id });
    await expect(closeOrgUnit(as(admin), { orgUnitId: parent.id })).rejects.toThrow(ConflictError);
  });
});
