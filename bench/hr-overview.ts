/**
 * `node bench/hr-overview.ts --db FILE [--tenant bench] [--rounds 5]`
 *
 * Times HR's overview (`getCoverageOverview`, the page /personal) on a generated district (`kiko demo generate`,
 * 50,000 staff, 1 M progress rows): without the trend, with the 24-month trend the first time (every past month
 * computed and stored) and afterwards (stored months summed), now and as of a date a year back. Prints the median
 * and slowest of the rounds with the same run's baseline, the status of all staff now (`getStatusAsOf`) computed afresh.
 * The overview's status comes from the stored result (status-memo.ts): computed afresh in the "computed" rows, brought
 * up to date after 20 new lesson visits per round in the others. Dates are taken to the minute as on the page.
 * Target (HR issue): the overview with its trend ≤ 300 ms, also a year back.
 */
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { openDb } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { coverageMonthTable, tenantTable } from '../db/schema/index.ts';
import { loadContent } from '../src/lib/server/content/load-content.ts';
import { personContext, systemContext } from '../src/lib/server/context.ts';
import { getStatusAsOf } from '../src/lib/server/evidence/status-as-of.ts';
import { forgetStoredStatus } from '../src/lib/server/evidence/status-memo.ts';
import { getCoverageOverview } from '../src/lib/server/hr/get-coverage-overview.ts';
import { createUser } from '../src/lib/server/users/create-user.ts';
import { getAuthUser } from '../src/lib/server/users/get-auth-user.ts';
import { newLearningFacts } from './lib/new-facts.ts';

const { values: flags } = parseArgs({
  options: { db: { type: 'string' }, tenant: { type: 'string', default: 'bench' }, rounds: { type: 'string', default: '5' } },
});
if (!flags.db) throw new Error('--db FILE');
const url = `file:${flags.db}`;
const { db, close } = await openDb({ url });
await runMigrations(db);
const content = loadContent({ root: process.cwd() });
const [tenant] = await db
  .select()
  .from(tenantTable)
  .where(eq(tenantTable.slug, String(flags.tenant)));
if (!tenant) throw new Error(`no tenant ${flags.tenant}`);
const email = `hr-bench-${Date.now()}@bench.example`;
const { id } = await createUser(db, { tenant: tenant.slug, email, name: 'HR Bench', roles: ['hr'], password: 'kiko-bench-hr-1234' });
const hr = await getAuthUser(db, id);
if (!hr) throw new Error('hr user');
const ctx = personContext(db, hr, content);
const system = systemContext(db, content, { tenantId: tenant.id, name: 'bench' });
await db.delete(coverageMonthTable).where(eq(coverageMonthTable.tenantId, tenant.id));

async function time(label: string, rounds: number, fn: () => Promise<unknown>, before: () => Promise<unknown> = async () => undefined) {
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await before();
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { label, rounds, medianMs: Math.round(ms[Math.floor(ms.length / 2)] ?? 0), maxMs: Math.round(ms[ms.length - 1] ?? 0) };
}
const rounds = Number(flags.rounds);
/** Now to the full minute, as HR's form takes "Stand am heute" and "erfasst bis jetzt". */
const minute = () => new Date(Math.floor(Date.now() / 60_000) * 60_000);
const yearBack = new Date(minute().getTime() - 365 * 86_400_000);
const afresh = async () => forgetStoredStatus(db);
const facts = () => newLearningFacts(db, content, tenant.id, 20);
const overview = (asOf: Date | null, trend: boolean) => () => {
  const at = minute();
  return getCoverageOverview(ctx, { asOf: asOf ?? at, recordedBy: at, trend });
};
const rows = [
  await time('baseline: status of all staff now (getStatusAsOf), computed', rounds, () => getStatusAsOf(system, {}), afresh),
  await time('overview now, without trend, computed', rounds, overview(null, false), afresh),
  await time('overview now, without trend, stored status after 20 new facts', rounds, overview(null, false), facts),
  await time('overview now with 24-month trend, first time (months computed and stored)', 1, overview(null, true)),
  await time('overview now with 24-month trend, stored months, stored status after 20 new facts', rounds, overview(null, true), facts),
  await time('overview a year back with trend, stored months, computed', rounds, overview(yearBack, true), afresh),
  await time('overview a year back with trend, stored months, stored status after 20 new facts', rounds, overview(yearBack, true), facts),
];
console.log('| measurement | rounds | median ms | slowest ms | × baseline |\n|---|--:|--:|--:|--:|');
const base = rows[0]?.medianMs ?? 1;
for (const r of rows) console.log(`| ${r.label} | ${r.rounds} | ${r.medianMs} | ${r.maxMs} | ${(r.medianMs / base).toFixed(2)} |`);
close();
