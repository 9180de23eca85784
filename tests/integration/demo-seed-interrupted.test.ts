/**
 * A demo seed killed part-way (as `npm start` stopped during its first seeding would be) is completed by the next
 * seed: every step is written whole or not at all, the next run adds what is missing and ends with the same rows as
 * an uninterrupted seed, and a third run changes nothing.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyAuditChain } from '../../src/lib/server/audit/verify-audit-chain.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { seedDemo } from '../../src/lib/server/demo/seed-demo.ts';
import { DEMO_STAFF_PLAN, GENERATED_LOGIN } from '../../src/lib/server/demo/seed-demo-staff.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let whole: TestDb;
let cut: TestDb;
beforeAll(async () => {
  whole = await createTestDb();
  cut = await createTestDb();
});
afterAll(() => {
  whole.cleanup();
  cut.cleanup();
});

/** Rows per table (the migrations' own bookkeeping aside). */
async function rowCounts(t: TestDb): Promise<Record<string, number>> {
  const tables = await t.db.all<{ name: string }>(
    sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%migrations%' ORDER BY name`,
  );
  const out: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await t.db.all<{ n: number }>(sql`SELECT count(*) AS n FROM ${sql.identifier(name)}`);
    out[name] = Number(row?.n ?? 0);
  }
  return out;
}

/**
 * Tables whose size differs a little between two uninterrupted seeds: quiz attempts draw their questions at random and
 * invitations depend on the people's random ids, and what follows from them (results, certificates, reminders, mails,
 * facts, audit entries) with them. Every other table has the same rows in every seed.
 */
const VARYING = new Set([
  'audit_events',
  'audit_personal',
  'certificates',
  'course_completions',
  'learning_events',
  'mail_messages',
  'quiz_attempts',
  'quiz_responses',
  'reminder_log',
  'training_session_invitations',
]);

/** `actual` has the rows of a complete seed: the same count where seeds agree, within 10 % where they vary. */
function expectCompleteSeed(actual: Record<string, number>, expected: Record<string, number>): void {
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
  const exact = Object.fromEntries(Object.entries(actual).filter(([k]) => !VARYING.has(k)));
  expect(exact).toEqual(Object.fromEntries(Object.entries(expected).filter(([k]) => !VARYING.has(k))));
  for (const table of VARYING) {
    expect(actual[table], table).toBeGreaterThan(0.9 * (expected[table] ?? 0));
    expect(actual[table], table).toBeLessThan(1.1 * (expected[table] ?? 0));
  }
}

const count = async (t: TestDb, query: ReturnType<typeof sql>): Promise<number> =>
  Number((await t.db.all<{ n: number }>(query))[0]?.n ?? 0);
// the cohort step's colleagues: `vorname.nachname.N@musterstadt.example`
const cohortColleagues = sql`SELECT count(*) AS n FROM users WHERE email GLOB '*.*.[0-9]*@musterstadt.example' AND email NOT GLOB ${GENERATED_LOGIN}`;

describe('an interrupted demo seed', () => {
  test('is completed by the next seed to the rows of an uninterrupted one; a third seed changes nothing', async () => {
    configureCertificateIssuing({ keyDir: join(whole.dir, 'keys') });
    await seedDemo(whole.db);
    const expected = await rowCounts(whole);
    expect(await count(whole, cohortColleagues)).toBe(40);

    // `kiko demo seed` in a child process, killed without warning shortly after the generated staff are committed
    const child = spawn(process.execPath, ['bin/kiko.mjs', 'demo', 'seed'], {
      env: { ...process.env, DATABASE_URL: cut.url, KIKO_KEY_DIR: join(cut.dir, 'keys'), NODE_ENV: 'test' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let ended = false;
    void exited.then(() => {
      ended = true;
    });
    const generated = sql`SELECT count(*) AS n FROM users WHERE email GLOB ${GENERATED_LOGIN}`;
    while (!ended && (await count(cut, generated)) === 0) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    await exited;
    const partial = await rowCounts(cut);
    expect(partial).not.toEqual(expected);
    // each step is whole or absent: all generated staff, and the cohort colleagues all or none
    expect(await count(cut, generated)).toBe(DEMO_STAFF_PLAN.reduce((n, p) => n + p.staff, 0));
    expect([0, 40]).toContain(await count(cut, cohortColleagues));

    configureCertificateIssuing({ keyDir: join(cut.dir, 'keys') });
    const next = await seedDemo(cut.db);
    expect(next.staffCreated).toBe(0);
    const completed = await rowCounts(cut);
    expectCompleteSeed(completed, expected);
    expect(await count(cut, cohortColleagues)).toBe(40);
    const [muster] = await cut.db.all<{ id: string }>(sql`SELECT id FROM tenants WHERE slug = 'musterstadt'`);
    expect((await verifyAuditChain(cut.db, muster?.id as string)).ok).toBe(true);

    const third = await seedDemo(cut.db);
    expect(third).toMatchObject({ tenantsCreated: 0, usersCreated: 0, staffCreated: 0 });
    expect(await rowCounts(cut)).toEqual(completed);
  }, 600_000);
});
