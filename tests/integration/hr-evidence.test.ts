/**
 * HR's Art. 4 evidence: coverage overview as of a date, its reproducibility, the exports (CSV for German Excel, RFC
 * 4180 CSV, XLSX opened by LibreOffice, JSON with its fingerprint), formula injection, the staff council's
 * suppressed aggregates and the authorization rules around all of them; in-person sessions and the multiplier
 * programme in the XLSX, JSON and PDF report (period, cut-off, a scoped HR grant).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { parse } from 'csv-parse/sync';
import { and, eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditEventTable, tenantTable, userRoleTable } from '../../db/schema/index.ts';
import { verifyAuditExport } from '../../src/lib/server/audit/verify-audit-export.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { assignMultiplier } from '../../src/lib/server/cohorts/cohort-multipliers.ts';
import { createCohort } from '../../src/lib/server/cohorts/create-cohort.ts';
import { type Ctx, personContext, systemContext } from '../../src/lib/server/context.ts';
import { completeCourseWithAnswerKey } from '../../src/lib/server/demo/seed-demo-learning.ts';
import { ForbiddenError, NotFoundError } from '../../src/lib/server/errors/domain-errors.ts';
import { archiveContent } from '../../src/lib/server/evidence/content-archive.ts';
import { exportDistrictAuditLog } from '../../src/lib/server/hr/export-district-audit-log.ts';
import { exportEvidenceFile } from '../../src/lib/server/hr/export-evidence-file.ts';
import { getCouncilOverview } from '../../src/lib/server/hr/get-council-overview.ts';
import { getCoverageOverview } from '../../src/lib/server/hr/get-coverage-overview.ts';
import { type AuditLogEntry, listAuditLog } from '../../src/lib/server/hr/list-audit-log.ts';
import { listEvidenceExports } from '../../src/lib/server/hr/list-evidence-exports.ts';
import { canonicalSelection, prepareEvidenceExport } from '../../src/lib/server/hr/prepare-evidence-export.ts';
import { assignPath } from '../../src/lib/server/learning/assign-path.ts';
import { cancelSession, createSession, inviteToSession } from '../../src/lib/server/sessions/plan-session.ts';
import { recordAttendance } from '../../src/lib/server/sessions/record-attendance.ts';
import { ensureTenant } from '../../src/lib/server/tenancy/create-tenant.ts';
import { changeMembership } from '../../src/lib/server/users/change-membership.ts';
import { erasePerson } from '../../src/lib/server/users/erase-person.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { berlinDateAndTime } from '../../src/lib/shared/dates.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
const DAY = 86_400_000;
let t: TestDb;
let dir: string;
let base: number;
let tenantId: string;
let units: Map<string, string>;
let admin: AuthUser;
let hr: AuthUser;
let hrIt: AuthUser;
let council: AuthUser;
let learner: AuthUser;
let otherHr: AuthUser;
let otherUnit: string;
const people: Record<string, AuthUser> = {};

const at = (days: number): Date => new Date(base + days * DAY);
const as = (user: AuthUser, day: number): Ctx => personContext(t.db, user, content, () => at(day));
const soffice = existsSync('/usr/bin/soffice');

/** The figures of the overview as plain data (what a page prints). */
async function figures(ctx: Ctx, asOf: Date, recordedBy: Date) {
  const o = await getCoverageOverview(ctx, { asOf, recordedBy });
  return {
    overall: o.overall,
    units: o.units.map((u) => [u.code, u.counts]),
    roles: o.jobRoles,
    overdue: o.overdue.items.map((p) => p.userId),
  };
}

beforeAll(async () => {
  t = await createTestDb();
  dir = mkdtempSync(join(tmpdir(), 'kiko-hr-'));
  configureCertificateIssuing({ keyDir: join(dir, 'keys') });
  base = Date.now() + 60_000;
  await archiveContent(t.db, content, new Date(base - 1000));
  const tenant = await ensureTenant(t.db, { slug: `lk-hr-${Math.random().toString(36).slice(2, 8)}`, name: 'Landkreis Prüfstadt' }, [
    { code: 'ZD', name: 'Zentrale Dienste' },
    { code: 'ZD-IT', name: 'IT', parentCode: 'ZD' },
    { code: 'OA', name: 'Ordnungsamt' },
  ]);
  tenantId = tenant.id;
  units = tenant.orgUnitIds;
  const slug = (await t.db.select().from(tenantTable).where(eq(tenantTable.id, tenantId)))[0]?.slug as string;
  admin = await makeUser(t.db, { tenant: slug, roles: ['admin'], orgUnitId: units.get('ZD') });
  hr = await makeUser(t.db, { tenant: slug, roles: ['hr'], orgUnitId: units.get('ZD'), name: 'Paula Prüf' });
  hrIt = await makeUser(t.db, { tenant: slug, roles: ['hr'], orgUnitId: units.get('ZD-IT') });
  await t.db
    .update(userRoleTable)
    .set({ scopeOrgUnitId: units.get('ZD-IT') })
    .where(and(eq(userRoleTable.userId, hrIt.id), eq(userRoleTable.role, 'hr')));
  council = await makeUser(t.db, { tenant: slug, roles: ['staff-council'], orgUnitId: units.get('OA') });
  learner = await makeUser(t.db, { tenant: slug, roles: ['multiplier'], orgUnitId: units.get('OA') });
  for (const [key, unit, name] of [
    ['done', 'ZD-IT', 'Ida Informatik'],
    ['mover', 'ZD-IT', 'Moritz Umzug'],
    ['open', 'ZD', 'Olga Offen'],
    ['formula', 'OA', '=HYPERLINK("http://böse.example","klick")'],
    ['minus', 'OA', '-2+3'],
    ['unicode', 'OA', 'Đặng Thị Ngọc 김민준 محمد Ærøskøbing'],
    ['erased', 'OA', 'Erika Gelöscht'],
  ] as const)
    people[key] = await makeUser(t.db, { tenant: slug, orgUnitId: units.get(unit), name });
  await completeCourseWithAnswerKey(t.db, people.done as AuthUser, content, 'probe-kurs', at(1));
  await completeCourseWithAnswerKey(t.db, people.mover as AuthUser, content, 'probe-kurs', at(1.2));
  await completeCourseWithAnswerKey(t.db, people.unicode as AuthUser, content, 'probe-kurs', at(1.5));
  await completeCourseWithAnswerKey(t.db, people.erased as AuthUser, content, 'probe-kurs', at(1.6));
  const other = await makeTenant(t.db);
  otherHr = await makeUser(t.db, { tenant: other.slug, roles: ['hr'] });
  otherUnit = other.orgUnitIds.get('A') as string;
});
afterAll(() => t.cleanup());

describe('getCoverageOverview', () => {
  test('counts coverage overall, per org unit (with sub-units) and per job role from the status rule', async () => {
    const o = await getCoverageOverview(as(hr, 2), { asOf: at(2), recordedBy: at(2) });
    // 12 active people: 4 completed the required course, the rest not yet due (the standard path is due in 30 days)
    expect(o.overall.active).toBe(12);
    expect(o.overall.covered).toBe(4);
    expect(o.overall.notDue).toBe(8);
    expect(o.overall.overdue).toBe(0);
    expect(o.overall.percent).toBe(33);
    const zd = o.units.find((u) => u.code === 'ZD');
    const it = o.units.find((u) => u.code === 'ZD-IT');
    expect(it?.counts.covered).toBe(2);
    expect(zd?.counts.covered).toBe(2);
    expect(zd?.counts.active).toBeGreaterThan(it?.counts.active ?? 0);
    expect(it?.depth).toBe(1);
    expect(o.versions.some((v) => v.kind === 'path' && v.id === 'standard' && v.version)).toBe(true);
  });

  test('lists the overdue after the due date, sorted and paged, and records the view in the audit log', async () => {
    const o = await getCoverageOverview(as(hr, 40), { asOf: at(40), recordedBy: at(40), sort: 'name' });
    expect(o.overdue.total).toBe(8);
    const names = o.overdue.items.map((p) => p.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'de')));
    expect(names).toContain('Olga Offen');
    const viewed = await t.db
      .select()
      .from(auditEventTable)
      .where(and(eq(auditEventTable.chain, tenantId), eq(auditEventTable.type, 'evidence.viewed')));
    expect(viewed.length).toBeGreaterThan(0);
  });

  test('a drill-down into an org unit counts only its subtree', async () => {
    const o = await getCoverageOverview(as(hr, 2), { asOf: at(2), recordedBy: at(2), orgUnitId: units.get('ZD-IT') });
    expect(o.unit?.code).toBe('ZD-IT');
    expect(o.units.map((u) => u.code)).toEqual(['ZD-IT']);
    expect(o.overall.covered).toBe(2);
  });

  test('returns the same figures for the same dates after a move, path changes, a content revision and an erasure', async () => {
    const before = await figures(as(hr, 3), at(2.5), at(2.5));
    await changeMembership(as(admin, 3), { userId: people.mover?.id as string, orgUnitId: units.get('OA') });
    await assignPath(as(admin, 3), { pathId: 'fuehrung', orgUnitId: units.get('ZD') });
    await erasePerson(as(admin, 3), people.erased?.id as string);
    // a revised path (shorter refresher) and a late entry: a change of job role effective before T, recorded after R
    const revised = fixtureContent();
    for (const path of revised.paths.values()) path.refresherMonths = 1;
    await archiveContent(t.db, revised, at(3));
    await changeMembership(as(admin, 3), { userId: people.open?.id as string, jobRole: 'fuehrungskraft', effectiveAt: at(2.4) });
    expect(await figures(as(hr, 4), at(2.5), at(2.5))).toEqual(before);
    // the late entry shows with a later recording cut-off, and only then
    const later = await figures(as(hr, 4), at(2.5), at(3.5));
    expect(later.roles).not.toEqual(before.roles);
    expect(later.roles.find((r) => r.jobRole === 'fuehrungskraft')?.counts.active).toBe(1);
    // as of today the move and the new path count
    const now = await getCoverageOverview(as(hr, 4), { asOf: at(4), recordedBy: at(4) });
    expect(now.units.find((u) => u.code === 'ZD-IT')?.counts.active).toBe(2);
    // the erased person still counts in the past, pseudonymised in exports
    const exp = await prepareEvidenceExport(as(hr, 4), { asOf: at(2.5), recordedBy: at(2.5) });
    const erased = [...exp.people()].find((p) => p.id === people.erased?.id);
    expect(erased?.erased).toBe(true);
    expect(erased?.name).toMatch(/^Gelöschte Person /);
    expect(erased?.email).toBeNull();
    expect(erased?.coverage).toBe('covered');
  });

  test('refuses a future date and one before the record began, with the German message', async () => {
    await expect(getCoverageOverview(as(hr, 5), { asOf: at(6), recordedBy: at(5) })).rejects.toThrow(/liegt in der Zukunft/);
    await expect(getCoverageOverview(as(hr, 5), { asOf: at(-30), recordedBy: at(5) })).rejects.toThrow(
      /Aufzeichnung des Landkreises beginnt/,
    );
  });
});

describe('authorization', () => {
  test('HR of another district cannot name this district’s org unit; tampered ids are not found', async () => {
    await expect(
      getCoverageOverview(as(otherHr, 5), { asOf: at(5), recordedBy: at(5), orgUnitId: units.get('ZD') }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(getCoverageOverview(as(hr, 5), { asOf: at(5), recordedBy: at(5), orgUnitId: otherUnit })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(getCoverageOverview(as(hr, 5), { asOf: at(5), recordedBy: at(5), orgUnitId: 'x-tampered' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(prepareEvidenceExport(as(hr, 5), { asOf: at(5), recordedBy: at(5), orgUnitId: otherUnit })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  test('HR limited to an org subtree sees only it and gets "not found" for units outside it', async () => {
    const o = await getCoverageOverview(as(hrIt, 2), { asOf: at(2), recordedBy: at(2) });
    expect(o.limited).toBe(true);
    expect(o.units.map((u) => u.code)).toEqual(['ZD-IT']);
    await expect(getCoverageOverview(as(hrIt, 2), { asOf: at(2), recordedBy: at(2), orgUnitId: units.get('OA') })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const exp = await prepareEvidenceExport(as(hrIt, 2), { asOf: at(2), recordedBy: at(2) });
    expect([...exp.people()].every((p) => p.orgUnit?.code === 'ZD-IT')).toBe(true);
  });

  test('learners, multipliers and the staff council cannot see people', async () => {
    for (const user of [learner, council, people.done as AuthUser]) {
      await expect(getCoverageOverview(as(user, 5), { asOf: at(5), recordedBy: at(5) })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(prepareEvidenceExport(as(user, 5), { asOf: at(5), recordedBy: at(5) })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(listEvidenceExports(as(user, 5), {})).rejects.toBeInstanceOf(ForbiddenError);
    }
    await expect(getCouncilOverview(as(hr, 5), { asOf: at(5), recordedBy: at(5) })).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('getCouncilOverview', () => {
  test('shows aggregates only and suppresses groups below the minimum group size', async () => {
    const o = await getCouncilOverview(as(council, 2), { asOf: at(2), recordedBy: at(2) });
    expect(o.minGroupSize).toBe(5);
    expect(o.overall.suppressed).toBe(false);
    expect(o.overall.counts?.active).toBe(12);
    const it = o.units.find((u) => u.code === 'ZD-IT');
    expect(it?.suppressed).toBe(true);
    expect(it?.counts).toBeNull();
    expect(JSON.stringify(o)).not.toMatch(/Ida Informatik|userId|"name":"Olga/);
  });

  test('a council grant limited to an org subtree sees only it; a unit outside is not found', async () => {
    await t.db
      .update(userRoleTable)
      .set({ scopeOrgUnitId: units.get('ZD') })
      .where(and(eq(userRoleTable.userId, council.id), eq(userRoleTable.role, 'staff-council')));
    try {
      const o = await getCouncilOverview(as(council, 2), { asOf: at(2), recordedBy: at(2) });
      expect(o.limited).toBe(true);
      expect(o.units.map((u) => u.code)).toEqual(['ZD', 'ZD-IT']);
      // ZD-IT (3 people) is below 5; ZD itself is shown (6 people)
      expect(o.units.find((u) => u.code === 'ZD')?.counts?.active).toBe(6);
      await expect(
        getCouncilOverview(as(council, 2), { asOf: at(2), recordedBy: at(2), orgUnitId: units.get('OA') }),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(getCouncilOverview(as(council, 2), { asOf: at(2), recordedBy: at(2), orgUnitId: otherUnit })).rejects.toBeInstanceOf(
        NotFoundError,
      );
    } finally {
      await t.db
        .update(userRoleTable)
        .set({ scopeOrgUnitId: null })
        .where(and(eq(userRoleTable.userId, council.id), eq(userRoleTable.role, 'staff-council')));
    }
  });

  test('a lone suppressed group takes its smallest sibling along, so it cannot be subtracted out', async () => {
    // after the move on day 3: Zentrale Dienste 5, Ordnungsamt 7; one Führungskraft (the late entry), 11 in Sachbearbeitung
    await t.db
      .update(tenantTable)
      .set({ settings: { minGroupSize: 6 } })
      .where(eq(tenantTable.id, tenantId));
    try {
      const o = await getCouncilOverview(as(council, 4), { asOf: at(3.5), recordedBy: at(3.5) });
      expect(o.overall.counts?.active).toBe(12);
      const roots = o.units.filter((u) => u.depth === 0);
      expect(roots.map((u) => [u.code, u.suppressed])).toEqual([
        ['OA', true],
        ['ZD', true],
      ]);
      expect(o.jobRoles.every((r) => r.suppressed && r.counts === null)).toBe(true);
    } finally {
      await t.db.update(tenantTable).set({ settings: {} }).where(eq(tenantTable.id, tenantId));
    }
  });

  test('follows the district setting, never below 3 (a smaller value counts as the default 5)', async () => {
    await t.db
      .update(tenantTable)
      .set({ settings: { minGroupSize: 2 } })
      .where(eq(tenantTable.id, tenantId));
    expect((await getCouncilOverview(as(council, 2), { asOf: at(2), recordedBy: at(2) })).minGroupSize).toBe(5);
    await t.db
      .update(tenantTable)
      .set({ settings: { minGroupSize: 3 } })
      .where(eq(tenantTable.id, tenantId));
    expect((await getCouncilOverview(as(council, 2), { asOf: at(2), recordedBy: at(2) })).minGroupSize).toBe(3);
    await t.db
      .update(tenantTable)
      .set({ settings: { minGroupSize: 20 } })
      .where(eq(tenantTable.id, tenantId));
    const o = await getCouncilOverview(as(council, 2), { asOf: at(2), recordedBy: at(2) });
    expect(o.overall.suppressed).toBe(true);
    await t.db.update(tenantTable).set({ settings: {} }).where(eq(tenantTable.id, tenantId));
  });
});

describe('evidence exports', () => {
  const out = (name: string): string => join(dir, name);

  test('CSV for German Excel: BOM, semicolons, German dates, neutralised formulas, Unicode intact', async () => {
    const file = out('excel.csv');
    const r = await exportEvidenceFile(as(hr, 2), { asOf: at(2), recordedBy: at(2), format: 'csv-excel', out: file });
    const bytes = readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows: string[][] = parse(bytes, { bom: true, delimiter: ';', relax_column_count: true });
    expect(rows[0]?.[1]).toBe('Landkreis Prüfstadt');
    expect(rows.find((x) => x[0] === 'Fingerabdruck (SHA-256 des kanonischen JSON)')?.[1]).toBe(r.fingerprint);
    const header = rows.findIndex((x) => x[0] === 'Name');
    const table = rows.slice(header + 1);
    const col = (name: string) => rows[header]?.indexOf(name) as number;
    const byName = new Map(table.map((x) => [x[col('Personen-ID')], x]));
    expect(byName.get(people.formula?.id)?.[0]).toBe(`'=HYPERLINK("http://böse.example","klick")`);
    expect(byName.get(people.minus?.id)?.[0]).toBe(`'-2+3`);
    expect(byName.get(people.unicode?.id)?.[0]).toBe('Đặng Thị Ngọc 김민준 محمد Ærøskøbing');
    expect(byName.get(people.done?.id)?.[col('Nachgewiesen seit')]).toMatch(/^\d{2}\.\d{2}\.\d{4}$/);
    expect(byName.get(people.done?.id)?.[col('Fortschritt in %')]).toBe('100');
    expect(table).toHaveLength(12);
    expect(r.people).toBe(12);
  });

  test('plain CSV is RFC 4180 (comma, CRLF, ISO dates) and an empty selection still has its header', async () => {
    const file = out('plain.csv');
    await exportEvidenceFile(as(hr, 2), { asOf: at(2), recordedBy: at(2), format: 'csv', out: file, status: 'overdue' });
    const text = readFileSync(file, 'utf8');
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    expect(text).toContain('\r\n');
    const rows: string[][] = parse(text, { relax_column_count: true });
    const header = rows.findIndex((x) => x[0] === 'Name');
    expect(header).toBeGreaterThan(0);
    expect(rows.slice(header + 1)).toHaveLength(0);
    expect(rows.find((x) => x[0] === 'Nachweis-Status')?.[1]).toBe('überfällig');
    const full = out('plain-all.csv');
    await exportEvidenceFile(as(hr, 2), { asOf: at(2), recordedBy: at(2), format: 'csv', out: full });
    const all: string[][] = parse(readFileSync(full), { relax_column_count: true });
    const h = all.findIndex((x) => x[0] === 'Name');
    const done = all.slice(h + 1).find((x) => x.includes(people.done?.id as string));
    expect(done?.[all[h]?.indexOf('Nachgewiesen seit') as number]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test('JSON: the fingerprint is the SHA-256 of the canonical selection and the same for the same dates', async () => {
    const file = out('evidence.json');
    const r = await exportEvidenceFile(as(hr, 2), { asOf: at(2), recordedBy: at(2), format: 'json', out: file });
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(doc.selection.schema).toBe('kiko.evidence-export');
    expect(doc.selection.schemaVersion).toBe(1);
    expect(
      `sha256:${createHash('sha256')
        .update(canonicalize(doc.selection) as string)
        .digest('hex')}`,
    ).toBe(doc.fingerprint);
    expect(doc.fingerprint).toBe(r.fingerprint);
    const again = await prepareEvidenceExport(as(hr, 9), { asOf: at(2), recordedBy: at(2) });
    expect(again.fingerprint).toBe(r.fingerprint);
    expect([...canonicalSelection(again.head, again.people())].join('')).toBe(canonicalize(doc.selection));
  });

  test.skipIf(!soffice)(
    'the Excel CSV survives LibreOffice: neutralised formulas stay text, Unicode and dates intact',
    async () => {
      const file = out('excel-lo.csv');
      await exportEvidenceFile(as(hr, 2), { asOf: at(2), recordedBy: at(2), format: 'csv-excel', out: file });
      const conv = join(dir, 'csv-out');
      execFileSync(
        'soffice',
        [
          '--headless',
          `-env:UserInstallation=file://${join(dir, 'lo-profile')}`,
          '--infilter=Text - txt - csv (StarCalc):59,34,76,1',
          '--convert-to',
          'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false',
          '--outdir',
          conv,
          file,
        ],
        { stdio: 'ignore', timeout: 120_000 },
      );
      const rows: string[][] = parse(readFileSync(join(conv, 'excel-lo.csv')), { relax_column_count: true });
      const header = rows.findIndex((x) => x[0] === 'Name');
      const cols = rows[header] as string[];
      const row = (id: string | undefined) => rows.find((x) => x[cols.indexOf('Personen-ID')] === id) as string[];
      // the spreadsheet shows the text as written, with the apostrophe, and evaluated nothing
      expect(row(people.formula?.id)[0]).toBe(`'=HYPERLINK("http://böse.example","klick")`);
      expect(row(people.minus?.id)[0]).toBe(`'-2+3`);
      expect(row(people.formula?.id)[0]?.replace(/^'(?=[=+\-@\t\r])/, '')).toBe('=HYPERLINK("http://böse.example","klick")');
      expect(row(people.unicode?.id)[0]).toBe('Đặng Thị Ngọc 김민준 محمد Ærøskøbing');
      expect(row(people.done?.id)[cols.indexOf('Nachgewiesen seit')]).toMatch(/^\d{2}\.\d{2}\.\d{4}$/);
    },
    180_000,
  );

  test.skipIf(!soffice)(
    'XLSX opens in LibreOffice with its sheets, real dates and numbers, and formulas not evaluated',
    async () => {
      const file = out('evidence.xlsx');
      await exportEvidenceFile(as(hr, 2), { asOf: at(2), recordedBy: at(2), format: 'xlsx', out: file });
      const conv = join(dir, 'xlsx-out');
      const sheets = ['Personen', 'Kurse', 'Organisationseinheiten'];
      for (const [i, _sheet] of sheets.entries())
        execFileSync(
          'soffice',
          [
            '--headless',
            `-env:UserInstallation=file://${join(dir, 'lo-profile')}`,
            '--convert-to',
            `csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,${i + 1}`,
            '--outdir',
            conv,
            file,
          ],
          {
            stdio: 'ignore',
            timeout: 120_000,
          },
        );
      const files = readdirSync(conv);
      expect(files.length).toBeGreaterThan(0);
      const personen = files.find((f) => f.includes('Personen')) ?? files[0];
      const rows: string[][] = parse(readFileSync(join(conv, personen as string)), { relax_column_count: true });
      expect(rows[0]?.[0]).toBe('Name');
      const header = rows[0] as string[];
      const row = (id: string | undefined) => rows.find((x) => x[header.indexOf('Personen-ID')] === id) as string[];
      expect(row(people.formula?.id)[0]).toBe('=HYPERLINK("http://böse.example","klick")');
      expect(row(people.minus?.id)[0]).toBe('-2+3');
      expect(row(people.unicode?.id)[0]).toBe('Đặng Thị Ngọc 김민준 محمد Ærøskøbing');
      expect(row(people.done?.id)[header.indexOf('Nachgewiesen seit')]).toMatch(/^\d{2}\.\d{2}\.\d{4}$/);
      expect(row(people.done?.id)[header.indexOf('Pflichtkurse erledigt')]).toBe('1');
      // dates and counts are typed cells (a serial number / a number), text cells are strings
      const xml = execFileSync('unzip', ['-p', file, 'xl/worksheets/sheet1.xml'], { encoding: 'utf8' });
      expect(xml).toMatch(/<c r="N\d+" s="\d+"><v>\d{5}<\/v><\/c>/);
      expect(xml).toMatch(/<c r="K\d+" s="\d+"><v>1<\/v><\/c>/);
      expect(xml).toMatch(/<pane ySplit="1"[^>]*state="frozen"/);
      expect(xml).toContain('<autoFilter ref="A1:Q1"/>');
      expect(xml).not.toContain('<f>');
    },
    180_000,
  );

  test('an export is listed with its filters, dates and fingerprint; other districts see none of it', async () => {
    const list = await listEvidenceExports(as(hr, 9), {});
    expect(list.items.length).toBeGreaterThanOrEqual(4);
    const first = list.items.find((e) => e.format === 'json');
    expect(first?.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first?.by).toBe('Paula Prüf');
    expect((await listEvidenceExports(as(otherHr, 9), {})).items).toHaveLength(0);
  });

  test('a failed export leaves no file under the target name', async () => {
    const file = join(dir, 'missing-dir', 'x.csv');
    await expect(exportEvidenceFile(as(hr, 2), { asOf: at(2), recordedBy: at(2), format: 'csv', out: file })).rejects.toThrow();
    expect(existsSync(file)).toBe(false);
    const ctx = systemContext(t.db, content, { tenantId, clock: () => at(2) });
    await expect(
      exportEvidenceFile(ctx, { asOf: at(2), recordedBy: at(2), format: 'csv', out: out('x.csv'), orgUnitId: otherUnit }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(existsSync(out('x.csv'))).toBe(false);
  });
});

describe('audit log for HR', () => {
  test('lists entries newest first, filtered by kind; names only for people within the HR grant', async () => {
    const log = await listAuditLog(as(hr, 9), { type: 'user.created' });
    expect(log.items.length).toBeGreaterThan(5);
    expect(log.items.every((e) => e.type === 'user.created')).toBe(true);
    expect((log.items[0] as AuditLogEntry).seq).toBeGreaterThan((log.items.at(-1) as AuditLogEntry).seq);
    expect(log.items.map((e) => e.subject)).toContain('Olga Offen');
    const scoped = await listAuditLog(as(hrIt, 9), { type: 'user.created' });
    const subjects = scoped.items.map((e) => e.subject);
    expect(subjects).toContain('Ida Informatik');
    expect(subjects).not.toContain('Olga Offen');
    expect(subjects).toContain('Person außerhalb Ihres Bereichs');
    expect((await listAuditLog(as(otherHr, 9), {})).items.some((e) => e.subject === 'Olga Offen')).toBe(false);
    await expect(listAuditLog(as(council, 9), {})).rejects.toBeInstanceOf(ForbiddenError);
  });

  test('the district-wide download verifies offline; HR limited to a subtree may not download it', async () => {
    const file = join(dir, 'audit.jsonl');
    const r = await exportDistrictAuditLog(as(hr, 9), file);
    expect(r.entries).toBeGreaterThan(10);
    const verified = await verifyAuditExport(file);
    expect(verified.ok).toBe(true);
    await expect(exportDistrictAuditLog(as(hrIt, 9), join(dir, 'x.jsonl'))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(exportDistrictAuditLog(as(learner, 9), join(dir, 'y.jsonl'))).rejects.toBeInstanceOf(ForbiddenError);
    expect(existsSync(join(dir, 'x.jsonl'))).toBe(false);
  });
});

describe('evidence report (PDF)', () => {
  const tool = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' });
  test('is a valid tagged German PDF with summary, training concept, annex and the fingerprint on every page', async () => {
    const file = join(dir, 'bericht.pdf');
    const r = await exportEvidenceFile(as(hr, 2), { asOf: at(2), recordedBy: at(2), format: 'pdf', out: file });
    expect(readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(tool('qpdf', ['--check', file])).toMatch(/No syntax or stream encoding errors/);
    const text = tool('pdftotext', ['-layout', file, '-']);
    expect(text).toContain('Nachweis der KI-Kompetenz nach Art. 4 KI-Verordnung');
    expect(text).toContain('Landkreis Prüfstadt');
    expect(text).toContain('Schulungskonzept');
    expect(text).toContain('Standardpfad');
    expect(text).toContain('Auffrischung alle 12 Monate');
    expect(text).toContain('Ida Informatik');
    expect(text).toContain('Ngọc');
    const pages = text.split('\f').filter((p) => p.trim());
    expect(pages.every((p) => p.includes(r.fingerprint))).toBe(true);
    const info = tool('pdfinfo', [file]);
    expect(info).toMatch(/Tagged:\s+yes/);
    expect(info).toMatch(/Title:\s+Nachweis der KI-Kompetenz/);
  }, 60_000);
});

describe('in-person sessions in the exports', () => {
  const TOPIC = '=HYPERLINK("http://böse.example","klick")';
  const period = () => ({ from: at(4.5), to: at(8) });
  const sessions: Record<'workshop' | 'online' | 'late' | 'cancelled', string> = { workshop: '', online: '', late: '', cancelled: '' };
  const tool = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' });
  const day = (d: Date): string => {
    const [y, m, dd] = berlinDateAndTime(d).date.split('-');
    return `${dd}.${m}.${y}`;
  };

  beforeAll(async () => {
    const slug = (await t.db.select().from(tenantTable).where(eq(tenantTable.id, tenantId)))[0]?.slug as string;
    const mia = await makeUser(t.db, { tenant: slug, roles: ['multiplier'], orgUnitId: units.get('OA'), name: 'Mia Multiplikatorin' });
    const adminCtx = as(admin, 4);
    const zentrale = (
      await createCohort(adminCtx, { name: 'Zentrale', orgUnits: [{ orgUnitId: units.get('ZD') ?? '', includeSubunits: true }] })
    ).id;
    const ordnung = (
      await createCohort(adminCtx, { name: 'Ordnung', orgUnits: [{ orgUnitId: units.get('OA') ?? '', includeSubunits: false }] })
    ).id;
    for (const cohortId of [zentrale, ordnung]) await assignMultiplier(adminCtx, { cohortId, email: mia.email });
    const plan = async (cohortId: string, startDay: number, extra: Record<string, unknown>): Promise<string> =>
      (
        await createSession(as(mia, 4), {
          cohortId,
          kind: 'workshop',
          topic: 'Gute Prompts',
          ...berlinDateAndTime(at(startDay)),
          minutes: 90,
          place: 'Kreishaus, Raum 2.14',
          ...extra,
        })
      ).id;
    // a workshop on a lesson for the whole ZD subtree, with a formula as topic
    sessions.workshop = await plan(zentrale, 5, { topic: TOPIC, content: 'probe-kurs/lektion-1' });
    // an online consultation hour in the Ordnungsamt (nobody of ZD-IT)
    sessions.online = await plan(ordnung, 6, {
      kind: 'sprechstunde',
      topic: 'Sprechstunde KI',
      minutes: 60,
      place: '',
      onlineUrl: 'https://meet.example/raum-7',
    });
    // after the period's end, before the as-of date
    sessions.late = await plan(zentrale, 8.5, { kind: 'praesenz', topic: 'Nachschulung' });
    sessions.cancelled = await plan(zentrale, 7, { topic: 'Fällt aus' });
    const ids = (...keys: Array<keyof typeof people>) => keys.map((k) => people[k]?.id as string);
    await inviteToSession(as(mia, 4), { sessionId: sessions.workshop, userIds: [...ids('done', 'open'), hr.id, hrIt.id, admin.id] });
    await inviteToSession(as(mia, 4), { sessionId: sessions.online, userIds: ids('formula', 'minus', 'unicode') });
    await inviteToSession(as(mia, 4), { sessionId: sessions.cancelled, userIds: [hr.id] });
    await cancelSession(as(mia, 4.2), sessions.cancelled);
    await recordAttendance(as(mia, 5.5), { sessionId: sessions.workshop, userIds: [...ids('done', 'open'), hrIt.id] });
    await recordAttendance(as(mia, 6.5), { sessionId: sessions.online, userIds: ids('formula', 'minus') });
    await recordAttendance(as(mia, 8.6), { sessionId: sessions.late, userIds: ids('done') });
  }, 60_000);

  /** The rows of the sheet „Präsenztermine“ as header → cell, read back with exceljs. */
  async function sessionSheet(file: string) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('Präsenztermine');
    if (!ws) throw new Error('no sheet Präsenztermine');
    const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
    const rows: Array<Map<string, ExcelJS.Cell>> = [];
    ws.eachRow((row, n) => {
      if (n > 1) rows.push(new Map(header.map((h, i) => [h, row.getCell(i + 1)])));
    });
    return { ws, header, rows, byId: (id: string) => rows.find((r) => r.get('Termin-ID')?.value === id) };
  }

  test('the XLSX has a sheet of the sessions in the period with date, number and text cells, frozen and filtered', async () => {
    const file = join(dir, 'termine.xlsx');
    await exportEvidenceFile(as(hr, 9), { asOf: at(9), recordedBy: at(9), period: period(), format: 'xlsx', out: file });
    const { ws, header, rows, byId } = await sessionSheet(file);
    expect(header).toEqual([
      'Beginn',
      'Art',
      'Thema',
      'Kurs',
      'Lektion',
      'Dauer in Stunden',
      'Ort',
      'Online',
      'Leitung',
      'Kohorte',
      'Eingeladen',
      'Anwesend',
      'Abgesagt',
      'Termin-ID',
    ]);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    // a session after the period's end is not in the sheet; the cancelled one is, marked
    expect(rows.map((r) => r.get('Termin-ID')?.value)).toEqual([sessions.workshop, sessions.online, sessions.cancelled]);
    const w = byId(sessions.workshop) as Map<string, ExcelJS.Cell>;
    const start = berlinDateAndTime(at(5));
    expect(w.get('Beginn')?.type).toBe(ExcelJS.ValueType.Date);
    expect(((w.get('Beginn') as ExcelJS.Cell).value as Date).toISOString()).toBe(`${start.date}T${start.time}:00.000Z`);
    expect(w.get('Beginn')?.numFmt).toBe('dd.mm.yyyy hh:mm');
    expect(w.get('Dauer in Stunden')?.type).toBe(ExcelJS.ValueType.Number);
    expect(w.get('Dauer in Stunden')?.value).toBe(1.5);
    expect(w.get('Eingeladen')?.value).toBe(5);
    expect(w.get('Anwesend')?.type).toBe(ExcelJS.ValueType.Number);
    expect(w.get('Anwesend')?.value).toBe(3);
    // the formula stays text: a string cell with the topic as written, never evaluated
    expect(w.get('Thema')?.type).toBe(ExcelJS.ValueType.String);
    expect(w.get('Thema')?.value).toBe(TOPIC);
    expect(w.get('Art')?.value).toBe('Workshop');
    expect(w.get('Kurs')?.value).toBe('Probekurs für Tests');
    expect(w.get('Lektion')?.value).toBe('Lektion 1 des Probekurses');
    expect(w.get('Ort')?.value).toBe('Kreishaus, Raum 2.14');
    expect(w.get('Online')?.value).toBe('nein');
    expect(w.get('Leitung')?.value).toBe('Mia Multiplikatorin');
    expect(w.get('Kohorte')?.value).toBe('Zentrale');
    expect(w.get('Abgesagt')?.value).toBe('nein');
    const o = byId(sessions.online) as Map<string, ExcelJS.Cell>;
    expect([o.get('Art')?.value, o.get('Online')?.value, o.get('Ort')?.value, o.get('Dauer in Stunden')?.value]).toEqual([
      'Sprechstunde',
      'ja',
      null,
      1,
    ]);
    expect([o.get('Eingeladen')?.value, o.get('Anwesend')?.value]).toEqual([3, 2]);
    // the link of an online session is not exported
    expect(JSON.stringify(rows.map((r) => [...r.values()].map((c) => c.value)))).not.toContain('meet.example');
    const c = byId(sessions.cancelled) as Map<string, ExcelJS.Cell>;
    expect([c.get('Abgesagt')?.value, c.get('Eingeladen')?.value, c.get('Anwesend')?.value]).toEqual(['ja', 1, 0]);
    const xml = execFileSync('unzip', ['-p', file, 'xl/worksheets/sheet4.xml'], { encoding: 'utf8' });
    expect(xml).toContain('<autoFilter ref="A1:N1"/>');
    expect(xml).toMatch(/<pane ySplit="1"[^>]*state="frozen"/);
    expect(xml).not.toContain('<f>');
  });

  test('HR of a subtree sees only sessions that reached it, with invited and present people of the subtree only', async () => {
    const file = join(dir, 'termine-it.xlsx');
    await exportEvidenceFile(as(hrIt, 9), { asOf: at(9), recordedBy: at(9), period: period(), format: 'xlsx', out: file });
    const { rows } = await sessionSheet(file);
    expect(rows.map((r) => r.get('Termin-ID')?.value)).toEqual([sessions.workshop]);
    expect([rows[0]?.get('Eingeladen')?.value, rows[0]?.get('Anwesend')?.value]).toEqual([2, 2]);
    // an org unit filter narrows in the same way
    const oa = await prepareEvidenceExport(as(hr, 9), { asOf: at(9), recordedBy: at(9), orgUnitId: units.get('OA') });
    expect(oa.head.sessions.map((s) => [s.id, s.invited, s.attended])).toEqual([[sessions.online, 3, 2]]);
  });

  test('without a period every session begun by T counts; a cut-off hides what was recorded after it', async () => {
    const all = await prepareEvidenceExport(as(hr, 9), { asOf: at(9), recordedBy: at(9) });
    expect(all.head.sessions.map((s) => s.id)).toEqual([sessions.workshop, sessions.online, sessions.cancelled, sessions.late]);
    expect(all.head.sessions.find((s) => s.id === sessions.late)?.attended).toBe(1);
    // recorded by day 5.2: the workshop had begun, its attendance (entered on day 5.5) was not yet known; later sessions
    // had not taken place
    const early = await prepareEvidenceExport(as(hr, 9), { asOf: at(9), recordedBy: at(5.2) });
    expect(early.head.sessions.map((s) => [s.id, s.invited, s.attended])).toEqual([[sessions.workshop, 5, 0]]);
    expect(early.head.programme.attendances).toBe(0);
  });

  test('the JSON selection holds the sessions and the programme, and its fingerprint covers them', async () => {
    const file = join(dir, 'termine.json');
    const r = await exportEvidenceFile(as(hr, 9), { asOf: at(9), recordedBy: at(9), period: period(), format: 'json', out: file });
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(
      `sha256:${createHash('sha256')
        .update(canonicalize(doc.selection) as string)
        .digest('hex')}`,
    ).toBe(r.fingerprint);
    expect(doc.selection.sessions.map((s: { id: string }) => s.id)).toEqual([sessions.workshop, sessions.online, sessions.cancelled]);
    expect(doc.selection.sessions[0]).toMatchObject({
      kind: 'workshop',
      topic: TOPIC,
      course: { id: 'probe-kurs', title: 'Probekurs für Tests' },
      lesson: { id: 'lektion-1' },
      minutes: 90,
      online: false,
      leads: [{ name: 'Mia Multiplikatorin' }],
      invited: 5,
      attended: 3,
      cancelled: false,
    });
    expect(doc.selection.programme).toMatchObject({
      cohorts: 2,
      multipliers: 1,
      sessionsHeld: 2,
      minutesHeld: 150,
      attendances: 5,
      reached: 5,
    });
    const again = await prepareEvidenceExport(as(hr, 10), { asOf: at(9), recordedBy: at(9), period: period() });
    expect(again.fingerprint).toBe(r.fingerprint);
    expect([...canonicalSelection(again.head, again.people())].join('')).toBe(canonicalize(doc.selection));
  });

  test('the PDF report names the sessions and the programme among the measures, still tagged', async () => {
    const file = join(dir, 'bericht-termine.pdf');
    await exportEvidenceFile(as(hr, 9), { asOf: at(9), recordedBy: at(9), period: period(), format: 'pdf', out: file });
    expect(tool('qpdf', ['--check', file])).toMatch(/No syntax or stream encoding errors/);
    expect(tool('pdfinfo', [file])).toMatch(/Tagged:\s+yes/);
    const text = tool('pdftotext', [file, '-']).replace(/\s+/g, ' ');
    const when = `im Zeitraum ${day(at(4.5))} bis ${day(at(8))}`;
    expect(text).toContain(`2 Präsenztermine ${when} mit zusammen 2,5 Stunden und 5 Teilnahmen von Beschäftigten dieser Auswahl`);
    expect(text).toContain('1 weiterer Termin wurde abgesagt');
    expect(text).toMatch(/Workshop 1 1,5 3 1/);
    expect(text).toMatch(/Sprechstunde 1 1 2 0/);
    expect(text).toMatch(/Zusammen 2 2,5 5 1/);
    const p = (await prepareEvidenceExport(as(hr, 9), { asOf: at(9), recordedBy: at(9), period: period() })).head.programme;
    expect(p.reachedCompletedPercent).not.toBeNull();
    expect(text).toContain('Multiplikator:innen-Programm');
    expect(text).toContain(
      `1 Multiplikator:in aus 2 Kohorten hat ${when} 2 Termine mit 2,5 Stunden gehalten und damit 5 aktive Beschäftigte dieser Auswahl erreicht`,
    );
    expect(text).toContain(`${p.notReached} wurden noch nicht erreicht`);
    expect(text).toContain(`${p.reachedCompletedPercent} % der Erreichten und ${p.notReachedCompletedPercent} % der übrigen`);
  }, 60_000);

  test('the PDF of a subtree suppresses the completion shares of groups under the minimum size', async () => {
    const file = join(dir, 'bericht-termine-it.pdf');
    await exportEvidenceFile(as(hrIt, 9), { asOf: at(9), recordedBy: at(9), period: period(), format: 'pdf', out: file });
    const text = tool('pdftotext', [file, '-']).replace(/\s+/g, ' ');
    expect(text).toContain(`1 Präsenztermin im Zeitraum ${day(at(4.5))} bis ${day(at(8))} mit zusammen 1,5 Stunden und 2 Teilnahmen`);
    expect(text).toContain('damit 2 aktive Beschäftigte dieser Auswahl erreicht');
    expect(text).toContain('weil eine der beiden Gruppen kleiner als 5 Personen ist');
    expect(text).toContain('nicht gezeigt (Gruppe unter 5)');
    expect(text).not.toContain('Sprechstunde KI');
  }, 60_000);
});
