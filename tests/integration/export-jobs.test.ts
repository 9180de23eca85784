/**
 * Evidence exports as background jobs (decision 018): queued → running (with progress) → done with file, size and
 * fingerprints, or failed with a German reason; the file appears under its name only when complete; the period filter
 * ("Zeitraum von/bis") and its refusals; who may see a job and its file.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditEventTable, evidenceExportJobTable, tenantTable, userRoleTable } from '../../db/schema/index.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { type Ctx, personContext } from '../../src/lib/server/context.ts';
import { completeCourseWithAnswerKey } from '../../src/lib/server/demo/seed-demo-learning.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/lib/server/errors/domain-errors.ts';
import { archiveContent } from '../../src/lib/server/evidence/content-archive.ts';
import { resolvePeriod } from '../../src/lib/server/hr/evidence-dates.ts';
import { exportEvidenceFile } from '../../src/lib/server/hr/export-evidence-file.ts';
import {
  getEvidenceExportFile,
  getEvidenceExportJob,
  listEvidenceExportJobs,
  queueEvidenceExport,
} from '../../src/lib/server/hr/export-jobs.ts';
import { prepareEvidenceExport } from '../../src/lib/server/hr/prepare-evidence-export.ts';
import { runEvidenceExportJobs } from '../../src/lib/server/hr/run-export-jobs.ts';
import { ensureTenant } from '../../src/lib/server/tenancy/create-tenant.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
const DAY = 86_400_000;
let t: TestDb;
let dir: string;
let exportDir: string;
let base: number;
let units: Map<string, string>;
let hr: AuthUser;
let hrIt: AuthUser;
let multiplier: AuthUser;
let otherHr: AuthUser;
const people: Record<string, AuthUser> = {};

const at = (days: number): Date => new Date(base + days * DAY);
const as = (user: AuthUser, day: number): Ctx => personContext(t.db, user, content, () => at(day));
const run = (day: number, extra: Partial<Parameters<typeof runEvidenceExportJobs>[2]> = {}) =>
  runEvidenceExportJobs(t.db, content, { dir: exportDir, holder: 'test-runner', clock: () => at(day), log: () => {}, ...extra });
const row = async (id: string) => (await t.db.select().from(evidenceExportJobTable).where(eq(evidenceExportJobTable.id, id)))[0];

beforeAll(async () => {
  t = await createTestDb();
  dir = mkdtempSync(join(tmpdir(), 'kiko-exportjobs-'));
  exportDir = join(dir, 'exporte');
  configureCertificateIssuing({ keyDir: join(dir, 'keys') });
  // the tests' clock runs ahead: the district and its people exist from now on, the facts happen at base + n days
  base = Date.now() + 60_000;
  await archiveContent(t.db, content, new Date(base - 1000));
  const tenant = await ensureTenant(t.db, { slug: `lk-ej-${Math.random().toString(36).slice(2, 8)}`, name: 'Landkreis Jobstadt' }, [
    { code: 'ZD', name: 'Zentrale Dienste' },
    { code: 'ZD-IT', name: 'IT', parentCode: 'ZD' },
    { code: 'OA', name: 'Ordnungsamt' },
  ]);
  units = tenant.orgUnitIds;
  const slug = (await t.db.select().from(tenantTable).where(eq(tenantTable.id, tenant.id)))[0]?.slug as string;
  hr = await makeUser(t.db, { tenant: slug, roles: ['hr'], orgUnitId: units.get('ZD'), name: 'Paula Prüf' });
  hrIt = await makeUser(t.db, { tenant: slug, roles: ['hr'], orgUnitId: units.get('ZD-IT') });
  await t.db
    .update(userRoleTable)
    .set({ scopeOrgUnitId: units.get('ZD-IT') })
    .where(and(eq(userRoleTable.userId, hrIt.id), eq(userRoleTable.role, 'hr')));
  multiplier = await makeUser(t.db, { tenant: slug, roles: ['multiplier'], orgUnitId: units.get('OA') });
  for (const [key, unit, name] of [
    ['early', 'ZD-IT', 'Ida Früh'],
    ['late', 'OA', 'Lars Spät'],
    ['idle', 'ZD', 'Olga Ohne'],
  ] as const)
    people[key] = await makeUser(t.db, { tenant: slug, orgUnitId: units.get(unit), name });
  await completeCourseWithAnswerKey(t.db, people.early as AuthUser, content, 'probe-kurs', at(1));
  await completeCourseWithAnswerKey(t.db, people.late as AuthUser, content, 'probe-kurs', at(5));
  const other = await makeTenant(t.db);
  otherHr = await makeUser(t.db, { tenant: other.slug, roles: ['hr'] });
});
afterAll(() => t.cleanup());

describe('evidence export jobs', () => {
  test('go from queued through running with progress to done, with the file, its size and both fingerprints', async () => {
    const { id } = await queueEvidenceExport(as(hr, 9), { format: 'csv-excel', asOf: at(9), recordedBy: at(9) });
    expect((await getEvidenceExportJob(as(hr, 9), id)).state).toBe('queued');
    const seen: Array<{ state: string; done: number; total: number | null }> = [];
    const r = await run(9, {
      onProgress: async (jobId) => {
        const j = await getEvidenceExportJob(as(hr, 9), jobId);
        seen.push({ state: j.state, done: j.done, total: j.total });
      },
    });
    expect(r).toEqual({ done: 1, failed: 0 });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s.state === 'running' && s.total !== null && s.done > 0 && s.done <= (s.total ?? 0))).toBe(true);
    const job = await getEvidenceExportJob(as(hr, 9), id);
    expect(job.state).toBe('done');
    expect(job.people).toBe(seen[0]?.total);
    const file = await getEvidenceExportFile(as(hr, 9), id, exportDir);
    const bytes = readFileSync(file.path);
    expect(job.size).toBe(bytes.length);
    expect(job.fileSha256).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    const same = await prepareEvidenceExport(as(hr, 9), { asOf: at(9), recordedBy: at(9) });
    expect(job.fingerprint).toBe(same.fingerprint);
    expect(bytes.toString('utf8')).toContain(same.fingerprint);
    expect(file.downloadName).toMatch(/^nachweis-lk-ej-.*-excel\.csv$/);
    // recorded in the audit log like every export
    const audit = await t.db.select().from(auditEventTable).where(eq(auditEventTable.type, 'evidence.exported'));
    expect(audit.some((e) => (e.data as Record<string, unknown>).fingerprint === same.fingerprint)).toBe(true);
    // nothing left to do: a second run finds no job
    expect(await run(9)).toEqual({ done: 0, failed: 0 });
  });

  test('a job whose requester lost the HR role fails with a German reason and leaves no file', async () => {
    const slug = (
      await t.db
        .select()
        .from(tenantTable)
        .where(eq(tenantTable.id, hr.tenant?.id as string))
    )[0]?.slug as string;
    const leaving = await makeUser(t.db, { tenant: slug, roles: ['hr'] });
    const { id } = await queueEvidenceExport(as(leaving, 9), { format: 'xlsx', asOf: at(9), recordedBy: at(9) });
    await t.db.delete(userRoleTable).where(and(eq(userRoleTable.userId, leaving.id), eq(userRoleTable.role, 'hr')));
    expect(await run(9)).toEqual({ done: 0, failed: 1 });
    const job = await getEvidenceExportJob(as(hr, 9), id);
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/nicht mehr exportieren/);
    expect(job.hasFile).toBe(false);
    await expect(getEvidenceExportFile(as(hr, 9), id, exportDir)).rejects.toBeInstanceOf(NotFoundError);
    expect(readdirSync(exportDir).filter((f) => f.startsWith(id) || f.includes(`.${id}`))).toEqual([]);
  });

  test('a job left running by a process that died is taken over once its claim has run out', async () => {
    const { id } = await queueEvidenceExport(as(hr, 9), { format: 'json', asOf: at(9), recordedBy: at(9) });
    await t.db
      .update(evidenceExportJobTable)
      .set({ state: 'running', claimedBy: 'dead-process', claimedUntil: at(8.99) })
      .where(eq(evidenceExportJobTable.id, id));
    expect(await run(9)).toEqual({ done: 1, failed: 0 });
    expect((await row(id))?.claimedBy).toBe('test-runner');
    expect((await row(id))?.state).toBe('done');
  });

  test('a job claimed by a live process is left alone', async () => {
    const { id } = await queueEvidenceExport(as(hr, 9), { format: 'json', asOf: at(9), recordedBy: at(9) });
    await t.db
      .update(evidenceExportJobTable)
      .set({ state: 'running', claimedBy: 'other-process', claimedUntil: at(9.5) })
      .where(eq(evidenceExportJobTable.id, id));
    expect(await run(9)).toEqual({ done: 0, failed: 0 });
    expect((await row(id))?.state).toBe('running');
    await t.db
      .update(evidenceExportJobTable)
      .set({ claimedUntil: at(8) })
      .where(eq(evidenceExportJobTable.id, id));
    await run(9);
  });

  test('the list shows the jobs newest first, a page at a time', async () => {
    const all = await listEvidenceExportJobs(as(hr, 9), { pageSize: 2 });
    expect(all.total).toBeGreaterThanOrEqual(4);
    expect(all.items).toHaveLength(2);
    const second = await listEvidenceExportJobs(as(hr, 9), { pageSize: 2, page: 2 });
    const times = [...all.items, ...second.items].map((j) => j.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set([...all.items, ...second.items].map((j) => j.id)).size).toBe(4);
  });
});

describe('the file appears only when complete', () => {
  test('an export interrupted while writing leaves neither the target nor its temporary file', async () => {
    const out = join(dir, 'abgebrochen.csv');
    let sawTemporary = false;
    await expect(
      exportEvidenceFile(
        as(hr, 9),
        { format: 'csv', asOf: at(9), recordedBy: at(9), out },
        {
          onProgress: () => {
            // mid-write: the target name does not exist yet, the temporary file does
            expect(existsSync(out)).toBe(false);
            sawTemporary = readdirSync(dir).some((f) => f.startsWith('.abgebrochen.csv.') && f.endsWith('.tmp'));
            throw new Error('Strom weg');
          },
        },
      ),
    ).rejects.toThrow('Strom weg');
    expect(sawTemporary).toBe(true);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('abgebrochen'))).toEqual([]);
  });

  test('a temporary file left by a process that died is removed by the runner, a fresh one is kept', async () => {
    const stale = join(exportDir, '.tot.csv.4711.tmp');
    const fresh = join(exportDir, '.frisch.csv.4712.tmp');
    writeFileSync(stale, 'halb');
    writeFileSync(fresh, 'halb');
    const old = (Date.now() - 3 * 3600_000) / 1000;
    utimesSync(stale, old, old);
    await runEvidenceExportJobs(t.db, content, { dir: exportDir, holder: 'test-runner', log: () => {} });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });
});

describe('period filter', () => {
  test('keeps only people with activity in the period and prints the period and their activity', async () => {
    const exp = await prepareEvidenceExport(as(hr, 9), {
      asOf: at(9),
      recordedBy: at(9),
      period: { from: at(4), to: at(6) },
    });
    const records = [...exp.people()];
    expect(records.map((p) => p.name)).toEqual(['Lars Spät']);
    expect(records[0]?.activity?.courseCompletions).toBe(1);
    expect(records[0]?.activity?.quizAttempts).toBeGreaterThan(0);
    expect(records[0]?.activity?.lessonsCompleted).toBeGreaterThan(0);
    expect(exp.head.filters.period).toEqual({ from: at(4).toISOString(), to: at(6).toISOString() });
    const early = await prepareEvidenceExport(as(hr, 9), { asOf: at(9), recordedBy: at(9), period: { from: at(0.5), to: at(2) } });
    expect([...early.people()].map((p) => p.name)).toEqual(['Ida Früh']);
    // without a period the selection (and its fingerprint) has no period fields
    const whole = await prepareEvidenceExport(as(hr, 9), { asOf: at(9), recordedBy: at(9) });
    expect(whole.head.filters.period).toBeUndefined();
    expect([...whole.people()].every((p) => p.activity === undefined)).toBe(true);
    expect(whole.fingerprint).not.toBe(exp.fingerprint);
  });

  test('the CSV states the period and carries the activity columns', async () => {
    const { id } = await queueEvidenceExport(as(hr, 9), {
      format: 'csv',
      asOf: at(9),
      recordedBy: at(9),
      period: { from: at(4), to: at(6) },
    });
    await run(9);
    const text = readFileSync((await getEvidenceExportFile(as(hr, 9), id, exportDir)).path, 'utf8');
    const rows = parse(text, { relax_column_count: true }) as string[][];
    expect(rows.find((r) => r[0] === 'Zeitraum der Aktivität')?.[1]).toMatch(/^\d{4}-\d{2}-\d{2} bis \d{4}-\d{2}-\d{2}/);
    const header = rows.find((r) => r[0] === 'Name') as string[];
    expect(header).toContain('Kursabschlüsse im Zeitraum');
    const lars = rows.find((r) => r[0] === 'Lars Spät') as string[];
    expect(lars[header.indexOf('Kursabschlüsse im Zeitraum')]).toBe('1');
    expect(rows.find((r) => r[0] === 'Ida Früh')).toBeUndefined();
    expect((await getEvidenceExportJob(as(hr, 9), id)).selection.periodFrom).toBe(at(4).toISOString());
  });

  test('refuses an inverted, future, one-sided or too early period, and one ending after the as-of date', async () => {
    const now = at(9);
    expect(() => resolvePeriod({ from: '2026-05-02', to: '2026-05-01' }, now)).toThrow(/„von“ muss vor oder auf „bis“/);
    expect(() => resolvePeriod({ from: '2026-05-02', to: '' }, now)).toThrow(/beide Daten/);
    expect(() => resolvePeriod({ from: '2026-05-02', to: '2999-01-01' }, now)).toThrow(/Zukunft/);
    expect(() => resolvePeriod({ from: '31.02.2026', to: '2026-03-01' }, now)).toThrow(/gibt es nicht/);
    expect(resolvePeriod({ from: '', to: '' }, now)).toBeNull();
    const queue = (from: Date, to: Date, asOf = at(9)) =>
      queueEvidenceExport(as(hr, 9), { format: 'csv', asOf, recordedBy: at(9), period: { from, to } });
    await expect(queue(at(-30), at(2))).rejects.toThrow(/vor dem Beginn der Aufzeichnung/);
    await expect(queue(at(1), at(5), at(3))).rejects.toThrow(/nach dem Stichtag/);
    await expect(queue(at(5), at(1))).rejects.toBeInstanceOf(ValidationError);
    await expect(queue(at(1), at(12))).rejects.toBeInstanceOf(ValidationError);
    // a refused job is not queued
    const before = (await listEvidenceExportJobs(as(hr, 9))).total;
    await expect(queue(at(-30), at(2))).rejects.toThrow();
    expect((await listEvidenceExportJobs(as(hr, 9))).total).toBe(before);
  });
});

describe('who may see a job', () => {
  let whole: string;
  let itJob: string;
  beforeAll(async () => {
    whole = (await queueEvidenceExport(as(hr, 9), { format: 'csv', asOf: at(9), recordedBy: at(9) })).id;
    itJob = (await queueEvidenceExport(as(hrIt, 9), { format: 'csv', asOf: at(9), recordedBy: at(9) })).id;
    await run(9);
  });

  test('HR of the whole district sees its own and the subtree HR’s jobs', async () => {
    expect((await getEvidenceExportJob(as(hr, 9), itJob)).state).toBe('done');
    expect((await getEvidenceExportFile(as(hr, 9), itJob, exportDir)).size).toBeGreaterThan(0);
    const text = readFileSync((await getEvidenceExportFile(as(hr, 9), itJob, exportDir)).path, 'utf8');
    // the subtree HR's export holds only its subtree
    expect(text).toContain('Ida Früh');
    expect(text).not.toContain('Lars Spät');
  });

  test('HR limited to a subtree sees neither the district’s job nor its file, and not in the list', async () => {
    await expect(getEvidenceExportJob(as(hrIt, 9), whole)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getEvidenceExportFile(as(hrIt, 9), whole, exportDir)).rejects.toBeInstanceOf(NotFoundError);
    const list = await listEvidenceExportJobs(as(hrIt, 9), { pageSize: 100 });
    expect(list.items.map((j) => j.id)).toContain(itJob);
    expect(list.items.map((j) => j.id)).not.toContain(whole);
    // a job filtered to an org unit inside the subtree is visible to it
    const inside = (await queueEvidenceExport(as(hr, 9), { format: 'json', asOf: at(9), recordedBy: at(9), orgUnitId: units.get('ZD-IT') }))
      .id;
    expect((await getEvidenceExportJob(as(hrIt, 9), inside)).orgUnit?.code).toBe('ZD-IT');
    const outside = (await queueEvidenceExport(as(hr, 9), { format: 'json', asOf: at(9), recordedBy: at(9), orgUnitId: units.get('OA') }))
      .id;
    await expect(getEvidenceExportJob(as(hrIt, 9), outside)).rejects.toBeInstanceOf(NotFoundError);
    // and it cannot start one outside its subtree
    await expect(
      queueEvidenceExport(as(hrIt, 9), { format: 'csv', asOf: at(9), recordedBy: at(9), orgUnitId: units.get('OA') }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await run(9);
  });

  test('HR of another district, a multiplier and a learner get nothing; a tampered id is not found', async () => {
    await expect(getEvidenceExportJob(as(otherHr, 9), whole)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getEvidenceExportFile(as(otherHr, 9), whole, exportDir)).rejects.toBeInstanceOf(NotFoundError);
    expect((await listEvidenceExportJobs(as(otherHr, 9))).total).toBe(0);
    for (const user of [multiplier, people.idle as AuthUser]) {
      await expect(getEvidenceExportJob(as(user, 9), whole)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(getEvidenceExportFile(as(user, 9), whole, exportDir)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(queueEvidenceExport(as(user, 9), { format: 'csv', asOf: at(9), recordedBy: at(9) })).rejects.toBeInstanceOf(
        ForbiddenError,
      );
    }
    const tampered = `${whole.slice(0, -1)}${whole.endsWith('a') ? 'b' : 'a'}`;
    await expect(getEvidenceExportJob(as(hr, 9), tampered)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getEvidenceExportJob(as(hr, 9), '../../etc/passwd')).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      queueEvidenceExport(as(otherHr, 9), { format: 'csv', asOf: at(9), recordedBy: at(9), orgUnitId: units.get('ZD') }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
