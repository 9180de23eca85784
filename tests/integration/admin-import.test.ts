/**
 * The staff import: dry run writes nothing; apply creates and changes people with facts and audit entries; the same
 * file twice changes nothing; Windows-1252 with umlauts, `;` and `,`; per-row errors with line numbers.
 */
import { and, eq, sql } from 'drizzle-orm';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditEventTable, learningEventTable, sessionTable, userTable } from '../../db/schema/index.ts';
import { verifyAuditChain } from '../../src/lib/server/audit/verify-audit-chain.ts';
import { createSession } from '../../src/lib/server/auth/sessions.ts';
import { type Ctx, personContext, systemContext } from '../../src/lib/server/context.ts';
import { ConflictError, ValidationError } from '../../src/lib/server/errors/domain-errors.ts';
import { createOrgUnit } from '../../src/lib/server/tenancy/create-org-unit.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { saveImportMapping } from '../../src/lib/server/users/import/import-mapping.ts';
import { applyImport, previewImport } from '../../src/lib/server/users/import/import-people.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
let t: TestDb;
let home: Awaited<ReturnType<typeof makeTenant>>;
let admin: AuthUser;
const as = (u: AuthUser): Ctx => personContext(t.db, u, content);
const counts = async (): Promise<{ users: number; facts: number; audit: number }> => {
  const [r] = await t.db.all<{ users: number; facts: number; audit: number }>(sql`SELECT
    (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM learning_events) AS facts, (SELECT count(*) FROM audit_events) AS audit`);
  return { users: Number(r?.users), facts: Number(r?.facts), audit: Number(r?.audit) };
};

beforeAll(async () => {
  t = await createTestDb();
  home = await makeTenant(t.db);
  admin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
  await createOrgUnit(as(admin), { code: 'JA', name: 'Jugendamt' });
});
afterAll(() => t.cleanup());

const file1252 = [
  'Personalnummer;Vorname;Nachname;E-Mail;Organisationseinheit;Funktion',
  '1001;Jürgen;Groß;juergen.gross@lk.example;A;Sachbearbeitung',
  '1002;Änne;Weiß;aenne.weiss@lk.example;Jugendamt;Führungskraft',
  '1003;Ömer;Özdemir;oemer.oezdemir@lk.example;B;IT',
].join('\r\n');

describe('previewImport / applyImport', () => {
  test('a Windows-1252 file with umlauts: dry run writes nothing, apply creates, the same file again changes nothing', async () => {
    const file = iconv.encode(file1252, 'win1252');
    const before = await counts();
    const plan = await previewImport(as(admin), { file });
    expect(plan).toMatchObject({ encoding: 'Windows-1252', delimiter: ';', rowCount: 3, missing: [], errors: [] });
    expect(plan.columns.every((c) => c.how === 'recognised')).toBe(true);
    expect(plan.created.map((p) => p.name)).toEqual(['Jürgen Groß', 'Änne Weiß', 'Ömer Özdemir']);
    expect(plan.created.map((p) => p.jobRole)).toEqual(['sachbearbeitung', 'fuehrungskraft', 'it-digitalisierung']);
    expect(await counts()).toEqual(before);

    const applied = await applyImport(as(admin), { file });
    expect(applied).toMatchObject({ created: 3, changed: 0, deactivated: 0 });
    const [aenne] = await t.db.select().from(userTable).where(eq(userTable.email, 'aenne.weiss@lk.example'));
    expect(aenne).toMatchObject({ name: 'Änne Weiß', externalId: '1002', jobRole: 'fuehrungskraft', tenantId: home.id, status: 'active' });
    const facts = await t.db
      .select()
      .from(learningEventTable)
      .where(eq(learningEventTable.userId, aenne?.id as string));
    expect(facts.map((f) => f.type).sort()).toEqual(['membership.changed', 'roles.changed']);
    const after = await counts();
    expect(after.users).toBe(before.users + 3);

    const again = await applyImport(as(admin), { file });
    expect(again).toMatchObject({ created: 0, changed: 0, deactivated: 0, unchanged: 3 });
    expect(await counts()).toEqual(after);
    expect((await verifyAuditChain(t.db, home.id)).ok).toBe(true);
  });

  test('a UTF-8 file with `,` matches by personnel number, changes name, unit and job role as membership facts', async () => {
    const csv = [
      'Personnel number,First name,Last name,Email,Org unit,Job role',
      '1001,Jürgen,Groß-Meier,juergen.gross@lk.example,B,Leitung',
    ].join('\n');
    const plan = await previewImport(as(admin), { file: Buffer.from(csv) });
    expect(plan.delimiter).toBe(',');
    expect(plan.changed).toHaveLength(1);
    expect(plan.changed[0]?.changes).toEqual(['Name', 'Organisationseinheit', 'Tätigkeitsprofil']);
    await applyImport(as(admin), { file: Buffer.from(csv) });
    const [j] = await t.db.select().from(userTable).where(eq(userTable.externalId, '1001'));
    expect(j).toMatchObject({ name: 'Jürgen Groß-Meier', orgUnitId: home.orgUnitIds.get('B'), jobRole: 'fuehrungskraft' });
    const facts = await t.db
      .select()
      .from(learningEventTable)
      .where(and(eq(learningEventTable.userId, j?.id as string), eq(learningEventTable.type, 'membership.changed')));
    expect(facts).toHaveLength(2);
    const audit = await t.db.select().from(auditEventTable).where(eq(auditEventTable.type, 'user.updated'));
    expect(audit).toHaveLength(1);
  });

  test('reports per-row errors with line numbers and German reasons, and applies nothing', async () => {
    const csv = [
      'E-Mail;Name;Abteilung;Tätigkeitsprofil;Personalnummer',
      ';Ohne Mail;A;Sachbearbeitung;',
      'doppelt@lk.example;Erste;A;Sachbearbeitung;',
      'doppelt@lk.example;Zweite;A;Sachbearbeitung;',
      'neu@lk.example;Unbekannte Einheit;Amt 99;Sachbearbeitung;',
      'formel@lk.example;=HYPERLINK("x");A;Sachbearbeitung;',
      'rolle@lk.example;Unbekannte Rolle;A;Hausmeister;',
      'gut@lk.example;Gute Zeile;A;;',
    ].join('\n');
    const before = await counts();
    const plan = await previewImport(as(admin), { file: Buffer.from(csv) });
    expect(plan.errors.map((e) => e.line)).toEqual([2, 4, 5, 6, 7]);
    const msg = (line: number): string =>
      plan.errors
        .filter((e) => e.line === line)
        .map((e) => e.message)
        .join(' ');
    expect(msg(2)).toBe('E-Mail-Adresse fehlt.');
    expect(msg(4)).toContain('steht schon in Zeile 3');
    expect(msg(5)).toContain('„Amt 99“ gibt es in KIKO nicht');
    expect(msg(6)).toContain('wie eine Tabellen-Formel');
    expect(msg(7)).toContain('„Hausmeister“ ist nicht zugeordnet');
    expect(plan.unknownJobRoles).toEqual([{ value: 'Hausmeister', count: 1 }]);
    expect(plan.created.map((p) => p.email)).toEqual(['doppelt@lk.example', 'gut@lk.example']);
    await expect(applyImport(as(admin), { file: Buffer.from(csv) })).rejects.toThrow(ValidationError);
    expect(await counts()).toEqual(before);
  });

  test('unknown headers and job-role values are mapped once and remembered for the district', async () => {
    const csv = ['Dienstpost;Mitarbeiter;OE-Kürzel;Stelle', 'mapped@lk.example;Mia Mapping;A;Hausmeister'].join('\n');
    const first = await previewImport(as(admin), { file: Buffer.from(csv) });
    expect(first.missing.length).toBeGreaterThan(0);
    expect(first.columns.map((c) => c.how)).toEqual(['unknown', 'unknown', 'unknown', 'unknown']);
    await saveImportMapping(as(admin), {
      columns: { Dienstpost: 'email', Mitarbeiter: 'lastName', 'OE-Kürzel': 'orgUnit', Stelle: 'jobRole' },
      jobRoles: { Hausmeister: 'sachbearbeitung' },
    });
    const second = await previewImport(as(admin), { file: Buffer.from(csv) });
    expect(second.errors).toEqual([]);
    expect(second.created[0]).toMatchObject({ email: 'mapped@lk.example', name: 'Mia Mapping', jobRole: 'sachbearbeitung' });
  });

  test('refuses a required column that is missing, and a file that is not CSV', async () => {
    await expect(applyImport(as(admin), { file: Buffer.from('Vorname;Nachname\nA;B') })).rejects.toThrow(/fehlt: E-Mail/);
    await expect(previewImport(as(admin), { file: Buffer.from('') })).rejects.toThrow(/leer/);
    await expect(previewImport(as(admin), { file: Buffer.from('E-Mail;Name\n"offen;x\n') })).rejects.toThrow(/keine lesbare CSV-Datei/);
  });

  test('deactivate missing: people not in the file are deactivated and their sessions end; the last admin never is', async () => {
    const other = await makeTenant(t.db);
    const soleAdmin = await makeUser(t.db, { tenant: other.slug, roles: ['admin'] });
    const staying = await makeUser(t.db, { tenant: other.slug, name: 'Bleibt Da' });
    const leaving = await makeUser(t.db, { tenant: other.slug, name: 'Geht Weg' });
    const { session } = await createSession(t.db, leaving.id);
    const csv = Buffer.from(`E-Mail;Name\n${staying.email};Bleibt Da\n`);
    const cli = systemContext(t.db, content, { tenantId: other.id });
    await expect(applyImport(cli, { file: csv, deactivateMissing: true })).rejects.toThrow(ConflictError);
    const plan = await previewImport(as(soleAdmin), { file: csv, deactivateMissing: true });
    expect(plan.deactivate.map((d) => d.name)).toEqual(['Geht Weg']);
    const r = await applyImport(as(soleAdmin), { file: csv, deactivateMissing: true });
    expect(r.deactivated).toBe(1);
    const [row] = await t.db.select().from(userTable).where(eq(userTable.id, leaving.id));
    expect(row?.status).toBe('disabled');
    expect(row?.deactivatedAt).toBeInstanceOf(Date);
    expect(await t.db.select().from(sessionTable).where(eq(sessionTable.id, session.id))).toEqual([]);
    // the same file again: nothing to do
    expect(await applyImport(as(soleAdmin), { file: csv, deactivateMissing: true })).toMatchObject({
      created: 0,
      changed: 0,
      deactivated: 0,
    });
    // in the file again: reactivated
    const back = await applyImport(as(soleAdmin), { file: Buffer.from(`E-Mail;Name\n${leaving.email};Geht Weg\n`) });
    expect(back.changed).toBe(1);
    const [again] = await t.db.select().from(userTable).where(eq(userTable.id, leaving.id));
    expect(again).toMatchObject({ status: 'active', deactivatedAt: null });
  });

  test("an e-mail address of another district's person is refused without touching them", async () => {
    const other = await makeTenant(t.db);
    const foreign = await makeUser(t.db, { tenant: other.slug, name: 'Fremde Person' });
    const plan = await previewImport(as(admin), { file: Buffer.from(`E-Mail;Name\n${foreign.email};Übernahme\n`) });
    expect(plan.errors[0]).toEqual({ line: 2, message: `Die E-Mail-Adresse ${foreign.email} ist in KIKO schon vergeben.` });
  });

  test('an admin for a subtree imports only into it', async () => {
    const scoped = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
    await t.db.run(sql`UPDATE user_roles SET scope_org_unit_id = ${home.orgUnitIds.get('A')} WHERE user_id = ${scoped.id}`);
    const plan = await previewImport(as(scoped), {
      file: Buffer.from('E-Mail;Name;OE\nin@lk.example;Drin;A\nout@lk.example;Draußen;B\nnone@lk.example;Ohne;\n'),
    });
    expect(plan.created.map((p) => p.email)).toEqual(['in@lk.example']);
    expect(plan.errors.map((e) => e.line)).toEqual([3, 4]);
    expect(plan.errors[0]?.message).toContain('außerhalb Ihres Bereichs');
  });
});
