/**
 * The staged apply of a staff import: the plan is stored as an import run and written batch by batch; an interrupted
 * run is rolled forward to the same end state (every fact and audit entry exactly once); a person changed in KIKO
 * between two batches keeps the newer change and the row is reported as skipped; a file with any error row stages
 * nothing; the same file again writes nothing.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { importRunBatchTable, importRunTable, learningEventTable, userTable } from '../../db/schema/index.ts';
import { verifyAuditChain } from '../../src/lib/server/audit/verify-audit-chain.ts';
import { type Ctx, personContext } from '../../src/lib/server/context.ts';
import { ConflictError, ValidationError } from '../../src/lib/server/errors/domain-errors.ts';
import { importRollForwardJob } from '../../src/lib/server/jobs/server-jobs.ts';
import { changeMembership } from '../../src/lib/server/users/change-membership.ts';
import { createPerson } from '../../src/lib/server/users/create-person.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { applyImport, listImportRuns, rollForwardImports } from '../../src/lib/server/users/import/import-people.ts';
import { IMPORT_STALE_MS } from '../../src/lib/server/users/import/import-run.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { auditEventsAbout, makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.cleanup());

/** A district with its admin; `later` acts two heartbeats later (after the interrupted process is taken as dead). */
async function district(): Promise<{ id: string; admin: AuthUser; as: Ctx; later: Ctx; units: Map<string, string> }> {
  const d = await makeTenant(t.db);
  const admin = await makeUser(t.db, { tenant: d.slug, roles: ['admin'] });
  return {
    id: d.id,
    admin,
    as: personContext(t.db, admin, content),
    later: personContext(t.db, admin, content, () => new Date(Date.now() + 2 * IMPORT_STALE_MS)),
    units: d.orgUnitIds,
  };
}

function staff(n: number, domain: string, unit: (i: number) => string): Buffer {
  const lines = ['Personalnummer;Vorname;Nachname;E-Mail;Organisationseinheit;Funktion'];
  for (let i = 0; i < n; i++) lines.push(`P-${i};Vorname${i};Nachname${i};person.${i}@${domain};${unit(i)};Sachbearbeitung`);
  return Buffer.from(lines.join('\n'));
}

/** What the district holds, without ids and times: people, their facts and audit entries by type. */
async function endState(tenantId: string): Promise<unknown> {
  const people = await t.db.all(sql`SELECT u.external_id, u.name, u.email, o.code AS unit, u.job_role, u.status
      FROM users u LEFT JOIN org_units o ON o.id = u.org_unit_id WHERE u.tenant_id = ${tenantId} AND u.external_id IS NOT NULL
     ORDER BY u.external_id`);
  const facts = await t.db.all(sql`SELECT u.external_id, e.type, count(*) AS n FROM learning_events e JOIN users u ON u.id = e.user_id
     WHERE e.tenant_id = ${tenantId} AND u.external_id IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`);
  const audit = await t.db.all(sql`SELECT type, count(*) AS n FROM audit_events WHERE tenant_id = ${tenantId} GROUP BY 1 ORDER BY 1`);
  // audit entries per person (format 2 keeps the subject in the personal part)
  const perPerson = await t.db.all<{ n: number }>(sql`SELECT n, count(*) AS people FROM (SELECT u.external_id, count(*) AS n
      FROM audit_personal p JOIN users u ON u.id = p.person_id WHERE u.tenant_id = ${tenantId} AND u.external_id IS NOT NULL GROUP BY 1)
     GROUP BY n ORDER BY n`);
  return { people, facts, audit, perPerson };
}

describe('applyImport (staged)', () => {
  test('an interrupted run rolled forward ends as an uninterrupted apply, every fact and audit entry exactly once', async () => {
    const n = 2_500; // three batches
    const whole = await district();
    const cut = await district();
    const done = await applyImport(whole.as, { file: staff(n, 'ganz.example', (i) => (i % 2 ? 'A' : 'B')) });
    expect(done).toMatchObject({ created: n, changed: 0, skipped: [] });
    const [wholeRun] = await listImportRuns(whole.as);
    expect(wholeRun).toMatchObject({ state: 'done', total: n, done: n, created: n });
    // the batches (personal data of the file) are gone once the run is done
    expect(
      await t.db
        .select()
        .from(importRunBatchTable)
        .where(eq(importRunBatchTable.runId, done.runId as string)),
    ).toEqual([]);

    const file = staff(n, 'ganz.example'.replace('ganz', 'teil'), (i) => (i % 2 ? 'A' : 'B'));
    const partial = await applyImport(cut.as, { file, stopAfterBatches: 1 });
    expect(partial.created).toBe(1_000);
    const [open] = await listImportRuns(cut.as);
    expect(open).toMatchObject({ state: 'applying', total: n, done: 1_000 });
    // a live run (recent heartbeat) is not taken over, and a second apply meanwhile is refused
    expect(await rollForwardImports(cut.as)).toBe(0);
    await expect(applyImport(cut.as, { file })).rejects.toThrow(ConflictError);
    expect(await rollForwardImports(cut.later)).toBe(1);
    expect(await rollForwardImports(cut.later)).toBe(0);
    const [finished] = await listImportRuns(cut.as);
    expect(finished).toMatchObject({ state: 'done', total: n, done: n, created: n, skipped: [] });

    const a = (await endState(whole.id)) as { people: Array<{ email: string }> };
    const cutState = await endState(cut.id);
    const b = structuredClone(cutState) as { people: Array<{ email: string }> };
    for (const p of b.people) p.email = p.email.replace('teil', 'ganz');
    expect(b).toEqual(a);
    expect(a).toMatchObject({
      audit: expect.arrayContaining([
        { type: 'user.created', n: n + 1 }, // and the admin's own account
        { type: 'users.imported', n: 1 },
      ]),
      perPerson: [{ n: 1, people: n }],
    });
    expect((a as unknown as { facts: unknown[] }).facts).toHaveLength(2 * n);
    expect((await verifyAuditChain(t.db, cut.id)).ok).toBe(true);

    // the same file again: nothing written, no new run
    const runs = (await listImportRuns(cut.as)).length;
    const again = await applyImport(cut.as, { file });
    expect(again).toMatchObject({ created: 0, changed: 0, deactivated: 0, unchanged: n, runId: null });
    expect(await endState(cut.id)).toEqual(cutState);
    expect(await listImportRuns(cut.as)).toHaveLength(runs);
  });

  test('the next apply of the district rolls an interrupted run forward before planning', async () => {
    const d = await district();
    const file = staff(1_200, 'weiter.example', () => 'A');
    await applyImport(d.as, { file, stopAfterBatches: 1 });
    const again = await applyImport(d.later, { file });
    expect(again).toMatchObject({ created: 0, unchanged: 1_200, runId: null });
    const runs = await listImportRuns(d.as);
    expect(runs.map((r) => [r.state, r.created])).toEqual([['done', 1_200]]);
    const [{ n } = { n: 0 }] = await t.db.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM ${learningEventTable} e JOIN ${userTable} u ON u.id = e.user_id
           WHERE e.tenant_id = ${d.id} AND e.type = 'membership.changed' AND u.external_id IS NOT NULL`,
    );
    expect(Number(n)).toBe(1_200);
  });

  test('a person changed in KIKO between two batches keeps the newer change; the row is reported as skipped', async () => {
    const d = await district();
    await applyImport(d.as, { file: staff(1_500, 'edit.example', () => 'A') });
    // every person moves to B; the first batch (1,000 people) is written, then an admin moves P-1200 elsewhere
    const partial = await applyImport(d.as, { file: staff(1_500, 'edit.example', () => 'B'), stopAfterBatches: 1 });
    expect(partial.changed).toBe(1_000);
    const person = async (externalId: string) =>
      (
        await t.db
          .select()
          .from(userTable)
          .where(and(eq(userTable.tenantId, d.id), eq(userTable.externalId, externalId)))
      )[0];
    const edited = await person('P-1200');
    await changeMembership(d.as, { userId: edited?.id as string, jobRole: 'fuehrungskraft' });
    await rollForwardImports(d.later);
    const [run] = await listImportRuns(d.as);
    expect(run).toMatchObject({ state: 'done', total: 1_500, done: 1_500, changed: 1_499 });
    expect(run?.skipped).toEqual([{ line: 1202, reason: expect.stringContaining('die neuere Änderung gilt') }]);
    const [now] = await t.db
      .select()
      .from(userTable)
      .where(eq(userTable.id, edited?.id as string));
    expect(now).toMatchObject({ orgUnitId: d.units.get('A'), jobRole: 'fuehrungskraft' });
    const facts = await t.db
      .select()
      .from(learningEventTable)
      .where(eq(learningEventTable.userId, edited?.id as string));
    // creation (membership + roles) and the manual change; nothing from the import's second run
    expect(facts.map((f) => f.type).sort()).toEqual(['membership.changed', 'membership.changed', 'roles.changed']);
    const other = await person('P-1300');
    expect(other?.orgUnitId).toBe(d.units.get('B'));
    expect((await verifyAuditChain(t.db, d.id)).ok).toBe(true);
  });

  test('a personnel number or e-mail address given to someone else after the dry run: the row is skipped, the run finishes', async () => {
    const d = await district();
    // three people known by e-mail only; the next file brings their personnel numbers, one of them a new address
    const byMail = ['E-Mail;Vorname;Nachname', ...[0, 1, 2].map((i) => `person.${i}@nummer.example;Vorname${i};Nachname${i}`)];
    await applyImport(d.as, { file: Buffer.from(byMail.join('\n')) });
    const numbered = [
      'Personalnummer;E-Mail;Vorname;Nachname',
      'P-0;person.0@nummer.example;Vorname0;Nachname0',
      'P-1;person.1@nummer.example;Vorname1;Nachname1',
      'P-2;person.2@nummer.example;Vorname2;Nachname2',
    ];
    const staged = await applyImport(d.as, { file: Buffer.from(numbered.join('\n')), stopAfterBatches: 0 });
    expect(staged.plan.changed.map((p) => p.changes)).toEqual([['Personalnummer'], ['Personalnummer'], ['Personalnummer']]);
    // meanwhile an admin creates a person with P-1 in KIKO
    await createPerson(d.as, { name: 'Neu Angelegt', email: 'neu@nummer.example', jobRole: 'sachbearbeitung', externalId: 'P-1' });
    await rollForwardImports(d.later);
    const [run] = await listImportRuns(d.as);
    expect(run).toMatchObject({ state: 'done', total: 3, done: 3, changed: 2 });
    expect(run?.skipped).toEqual([
      { line: 3, reason: 'Die Personalnummer P-1 wurde nach der Vorschau in KIKO vergeben; die Zeile wurde übersprungen.' },
    ]);
    const people = await t.db.all(
      sql`SELECT email, external_id FROM users WHERE tenant_id = ${d.id} AND email LIKE '%@nummer.example' ORDER BY email`,
    );
    expect(people).toEqual([
      { email: 'neu@nummer.example', external_id: 'P-1' },
      { email: 'person.0@nummer.example', external_id: 'P-0' },
      { email: 'person.1@nummer.example', external_id: null },
      { email: 'person.2@nummer.example', external_id: 'P-2' },
    ]);
    const skippedPerson = await t.db.select().from(userTable).where(eq(userTable.email, 'person.1@nummer.example'));
    expect(await auditEventsAbout(t.db, skippedPerson[0]?.id as string)).toHaveLength(1); // its creation only

    // the same with an e-mail address (P-2 gets a new one) and with new people (P-3, P-4), each taken after the dry run
    const next = [
      'Personalnummer;E-Mail;Vorname;Nachname',
      'P-0;person.0@nummer.example;Vorname0;Nachname0',
      'P-2;neu.2@nummer.example;Vorname2;Nachname2',
      'P-3;person.3@nummer.example;Vorname3;Nachname3',
      'P-4;person.4@nummer.example;Vorname4;Nachname4',
      'P-5;person.5@nummer.example;Vorname5;Nachname5',
    ];
    const second = await applyImport(d.as, { file: Buffer.from(next.join('\n')), stopAfterBatches: 0 });
    expect(second.plan).toMatchObject({ unchanged: 1, changed: [{ line: 3 }], created: [{ line: 4 }, { line: 5 }, { line: 6 }] });
    await createPerson(d.as, { name: 'Zuerst Da', email: 'neu.2@nummer.example', jobRole: 'sachbearbeitung' });
    await createPerson(d.as, { name: 'Auch Neu', email: 'anders@nummer.example', jobRole: 'sachbearbeitung', externalId: 'P-3' });
    await createPerson(d.as, { name: 'Schon Da', email: 'person.4@nummer.example', jobRole: 'sachbearbeitung' });
    await rollForwardImports(d.later);
    const [again] = await listImportRuns(d.as);
    expect(again).toMatchObject({ state: 'done', total: 4, done: 4, created: 1, changed: 0 });
    expect(again?.skipped).toEqual([
      { line: 4, reason: 'Die Personalnummer P-3 wurde nach der Vorschau in KIKO vergeben; die Zeile wurde übersprungen.' },
      {
        line: 5,
        reason: 'Die E-Mail-Adresse person.4@nummer.example wurde nach der Vorschau in KIKO vergeben; die Zeile wurde übersprungen.',
      },
      {
        line: 3,
        reason: 'Die E-Mail-Adresse neu.2@nummer.example wurde nach der Vorschau in KIKO vergeben; die Zeile wurde übersprungen.',
      },
    ]);
    expect(
      await t.db.all(
        sql`SELECT name, email, external_id FROM users WHERE tenant_id = ${d.id} AND external_id IN ('P-2', 'P-3', 'P-5') ORDER BY 3`,
      ),
    ).toEqual([
      { name: 'Vorname2 Nachname2', email: 'person.2@nummer.example', external_id: 'P-2' },
      { name: 'Auch Neu', email: 'anders@nummer.example', external_id: 'P-3' },
      { name: 'Vorname5 Nachname5', email: 'person.5@nummer.example', external_id: 'P-5' },
    ]);
    expect((await verifyAuditChain(t.db, d.id)).ok).toBe(true);
  });

  test('a file with any error row is refused before anything is staged', async () => {
    const d = await district();
    const good = staff(1_100, 'fehler.example', () => 'A').toString();
    const bad = Buffer.from(`${good}\nP-X;Ohne;Mail;;A;Sachbearbeitung`);
    const before = await t.db.all(sql`SELECT (SELECT count(*) FROM users) AS u, (SELECT count(*) FROM learning_events) AS f,
      (SELECT count(*) FROM audit_events) AS a, (SELECT count(*) FROM import_runs) AS r, (SELECT count(*) FROM import_run_batches) AS b`);
    await expect(applyImport(d.as, { file: bad })).rejects.toThrow(ValidationError);
    const after = await t.db.all(sql`SELECT (SELECT count(*) FROM users) AS u, (SELECT count(*) FROM learning_events) AS f,
      (SELECT count(*) FROM audit_events) AS a, (SELECT count(*) FROM import_runs) AS r, (SELECT count(*) FROM import_run_batches) AS b`);
    expect(after).toEqual(before);
    expect(await t.db.select().from(importRunTable).where(eq(importRunTable.tenantId, d.id))).toEqual([]);
  });
});

describe('staff-imports job', () => {
  test('finishes a district’s interrupted run once its heartbeat is old, as the admin who applied the file', async () => {
    const d = await district();
    await applyImport(d.as, { file: staff(1_300, 'job.example', () => 'B'), stopAfterBatches: 1 });
    const job = importRollForwardJob(
      t.db,
      () => content,
      () => {},
    );
    expect(await job.run(new Date())).toBeUndefined();
    const later = new Date(Date.now() + 2 * IMPORT_STALE_MS);
    expect(await job.run(later)).toBe('Importe fortgesetzt 1');
    const [run] = await listImportRuns(d.as);
    expect(run).toMatchObject({ state: 'done', created: 1_300 });
    const actors = await t.db.all<{ actor_id: string }>(
      sql`SELECT DISTINCT e.actor_id FROM learning_events e JOIN users u ON u.id = e.user_id WHERE e.tenant_id = ${d.id} AND u.external_id IS NOT NULL`,
    );
    expect(actors.map((a) => a.actor_id)).toEqual([d.admin.id]);
    // every move takes effect at the import; the batch written later is recorded when it was written
    const times = await t.db.all<{ effective_at: number; recorded_at: number; n: number }>(
      sql`SELECT e.effective_at, e.recorded_at, count(*) AS n FROM learning_events e JOIN users u ON u.id = e.user_id
           WHERE e.tenant_id = ${d.id} AND u.external_id IS NOT NULL GROUP BY 1, 2 ORDER BY 2`,
    );
    expect(new Set(times.map((r) => r.effective_at)).size).toBe(1);
    expect(times.map((r) => Number(r.n))).toEqual([2_000, 600]); // two facts per person, 1,000 and 300 people
    expect(times[0]?.recorded_at).toBeGreaterThanOrEqual(times[0]?.effective_at ?? Number.POSITIVE_INFINITY);
    expect(times[0]?.recorded_at).toBeLessThan(Date.now() + 1);
    expect(times[1]?.recorded_at).toBe(later.getTime());
  });
});
