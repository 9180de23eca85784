/**
 * `node bench/status-as-of.ts --db FILE --tenant SLUG [--rounds 5]`
 *
 * Times the one status rule in bulk on a generated district (`kiko demo generate`, 50,000 staff, 1 M progress rows):
 * a 5,000-person cohort now (projections) and as of now (the record), all staff now, and all staff as of a date a year back (recorded by now).
 * Each computed afresh, and from the stored result (status-memo.ts) brought up to date after 20 new lesson completions
 * per round. Reports the median and the slowest of the rounds, with the raw SQLite select baseline of the same run.
 * Targets (evidence-core issue): cohort ≤ 100 ms; 50,000 as of a year back ≤ 2 s.
 * The database file is migrated first and gets new facts: use a copy of a shared bench database.
 */
import { parseArgs } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import { openDb } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { tenantTable, userTable } from '../db/schema/index.ts';
import { loadContent } from '../src/lib/server/content/load-content.ts';
import { systemContext } from '../src/lib/server/context.ts';
import { getStatusAsOf } from '../src/lib/server/evidence/status-as-of.ts';
import { forgetStoredStatus } from '../src/lib/server/evidence/status-memo.ts';
import { newLearningFacts } from './lib/new-facts.ts';

const { values: flags } = parseArgs({
  options: { db: { type: 'string' }, tenant: { type: 'string', default: 'bench' }, rounds: { type: 'string', default: '5' } },
});
if (!flags.db) throw new Error('--db FILE');
const { db, close } = await openDb({ url: `file:${flags.db}` });
// a copy made before the latest migrations (course_progress, the covering indexes) gets them first
await runMigrations(db);
const content = loadContent({ root: process.cwd() });
const [tenant] = await db
  .select()
  .from(tenantTable)
  .where(eq(tenantTable.slug, String(flags.tenant)));
if (!tenant) throw new Error(`no tenant ${flags.tenant}`);
const ctx = systemContext(db, content, { tenantId: tenant.id, name: 'bench' });
const ids = (await db.select({ id: userTable.id }).from(userTable).where(eq(userTable.tenantId, tenant.id))).map((r) => r.id);
const cohort = ids.slice(0, 5000);
const now = new Date();
const yearBack = new Date(now.getTime() - 365 * 86_400_000);

/** Times `fn` per round; `before` runs first in each round, untimed (forget stored results, add facts). */
async function time(
  label: string,
  fn: () => Promise<number>,
  before: () => Promise<unknown> = async () => undefined,
): Promise<{ label: string; medianMs: number; maxMs: number; people: number }> {
  const ms: number[] = [];
  let people = 0;
  for (let i = 0; i < Number(flags.rounds); i++) {
    await before();
    const t0 = performance.now();
    people = await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { label, medianMs: Math.round(ms[Math.floor(ms.length / 2)] ?? 0), maxMs: Math.round(ms[ms.length - 1] ?? 0), people };
}
const afresh = async () => forgetStoredStatus(db);
const facts = (pool?: readonly string[]) => () => newLearningFacts(db, content, tenant.id, 20, pool);
const cohortNow = async () => (await getStatusAsOf(ctx, { userIds: cohort })).people.length;
const allNow = async () => (await getStatusAsOf(ctx, {})).people.length;
const allYearBack = async () => (await getStatusAsOf(ctx, { asOf: yearBack, recordedBy: new Date() })).people.length;

const rows = [
  await time('baseline: count(*) of the district facts', async () => {
    const [r] = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM learning_events WHERE tenant_id = ${tenant.id}`);
    return r?.n ?? 0;
  }),
  // without asOf: the status now, from the current-state projections (what dashboards show)
  await time('cohort of 5,000, now, computed', cohortNow, afresh),
  await time('cohort of 5,000, now, stored, brought up to date after 20 new facts', cohortNow, facts(cohort)),
  await time('all staff, now, computed', allNow, afresh),
  await time('all staff, now, stored, brought up to date after 20 new facts', allNow, facts()),
  // with asOf = now: the same figures from the learning record itself
  await time(
    'cohort of 5,000, as of now from the record, computed',
    async () => {
      const at = new Date();
      return (await getStatusAsOf(ctx, { asOf: at, recordedBy: at, userIds: cohort })).people.length;
    },
    afresh,
  ),
  await time('all staff, as of a year back, computed', allYearBack, afresh),
  await time('all staff, as of a year back, stored, brought up to date after 20 new facts', allYearBack, facts()),
];
console.log('| measurement | people / rows | median ms | slowest ms |\n|---|--:|--:|--:|');
for (const r of rows) console.log(`| ${r.label} | ${r.people} | ${r.medianMs} | ${r.maxMs} |`);
close();
