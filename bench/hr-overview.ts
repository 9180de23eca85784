/**
 * `node bench/hr-overview.ts --db FILE [--tenant bench] [--rounds 5]`
 *
 * Times HR's overview (`getCoverageOverview`, the page /personal) on a generated district (`kiko demo generate`,
 * 50,000 staff, 1 M progress rows): without the trend, with the 24-month trend the first time (every past month
 * computed and stored) and afterwards (stored months summed), now and as of a date a year back. Prints the median
 * and slowest of the rounds with the same run's baseline, the status of all staff now (`getStatusAsOf`).
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
import { getCoverageOverview } from '../src/lib/server/hr/get-coverage-overview.ts';
import { createUser } from '../src/lib/server/users/create-user.ts';
import { getAuthUser } from '../src/lib/server/users/get-auth-user.ts';

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

async function time(label: string, rounds: number, fn: () => Promise<unknown>) {
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { label, rounds, medianMs: Math.round(ms[Math.floor(ms.length / 2)] ?? 0), maxMs: Math.round(ms[ms.length - 1] ?? 0) };
}

const rounds = Number(flags.rounds);
const now = () => new Date();
const yearBack = new Date(Date.now() - 365 * 86_400_000);
const rows = [
  await time('baseline: status of all staff now (getStatusAsOf)', rounds, () => getStatusAsOf(system, {})),
  await time('overview now, without trend', rounds, () => getCoverageOverview(ctx, { asOf: now(), recordedBy: now() })),
  await time('overview now with 24-month trend, first time (months computed and stored)', 1, () =>
    getCoverageOverview(ctx, { asOf: now(), recordedBy: now(), trend: true }),
  ),
  await time('overview now with 24-month trend, stored months', rounds, () =>
    getCoverageOverview(ctx, { asOf: now(), recordedBy: now(), trend: true }),
  ),
  await time('overview a year back with trend, stored months', rounds, () =>
    getCoverageOverview(ctx, { asOf: yearBack, recordedBy: now(), trend: true }),
  ),
];
console.log('| measurement | rounds | median ms | slowest ms | × baseline |\n|---|--:|--:|--:|--:|');
const base = rows[0]?.medianMs ?? 1;
for (const r of rows) console.log(`| ${r.label} | ${r.rounds} | ${r.medianMs} | ${r.maxMs} | ${(r.medianMs / base).toFixed(2)} |`);
close();
