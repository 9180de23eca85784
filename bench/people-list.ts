/**
 * `node bench/people-list.ts --db FILE [--tenant bench] [--rounds 21]`
 *
 * Times the admin's people list (`listPeople`, the page /verwaltung/personen) on a generated district
 * (`kiko demo generate`, 50,000 staff): the first page, a search by part of a surname, by part of an e-mail address
 * and by personnel number, a subtree filter, sorting by last login, and the last page. Baseline of the same run: a
 * plain `count(*)` of the district's accounts. Target (administration issue): the list with search over 50,000
 * people ≤ 100 ms server time.
 */
import { parseArgs } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import { openDb } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { orgUnitTable, tenantTable } from '../db/schema/index.ts';
import { loadContent } from '../src/lib/server/content/load-content.ts';
import { personContext } from '../src/lib/server/context.ts';
import { createUser } from '../src/lib/server/users/create-user.ts';
import { getAuthUser } from '../src/lib/server/users/get-auth-user.ts';
import { listPeople, type PeopleQuery } from '../src/lib/server/users/list-people.ts';

const { values: flags } = parseArgs({
  options: { db: { type: 'string' }, tenant: { type: 'string', default: 'bench' }, rounds: { type: 'string', default: '21' } },
});
if (!flags.db) throw new Error('--db FILE');
const { db, close } = await openDb({ url: `file:${flags.db}` });
await runMigrations(db);
const content = loadContent({ root: process.cwd() });
const [tenant] = await db
  .select()
  .from(tenantTable)
  .where(eq(tenantTable.slug, String(flags.tenant)));
if (!tenant) throw new Error(`no tenant ${flags.tenant}`);
const { id } = await createUser(db, {
  tenant: tenant.slug,
  email: `admin-bench-${Date.now()}@bench.example`,
  name: 'Admin Bench',
  roles: ['admin'],
  password: 'kiko-bench-admin-1234',
});
const admin = await getAuthUser(db, id);
if (!admin) throw new Error('admin user');
const ctx = personContext(db, admin, content);
// a unit with sub-units, as an admin would pick a Dezernat
const [parent] = await db.all<{ id: string; n: number }>(
  sql`SELECT p.id, count(*) AS n FROM ${orgUnitTable} p JOIN ${orgUnitTable} c ON c.parent_id = p.id
      WHERE p.tenant_id = ${tenant.id} GROUP BY p.id ORDER BY n DESC LIMIT 1`,
);
const [withNumber] = await db.all<{ external_id: string | null }>(
  sql`SELECT external_id FROM users WHERE tenant_id = ${tenant.id} AND external_id IS NOT NULL LIMIT 1 OFFSET 25000`,
);

async function time(
  label: string,
  fn: () => Promise<unknown>,
): Promise<{ label: string; medianMs: number; p95Ms: number; found?: number }> {
  const rounds = Number(flags.rounds);
  const ms: number[] = [];
  let found: number | undefined;
  await fn(); // warm the page cache once
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const r = await fn();
    ms.push(performance.now() - t0);
    if (r && typeof r === 'object' && 'total' in r) found = Number(r.total);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => Math.round((ms[Math.min(ms.length - 1, Math.floor(ms.length * q))] ?? 0) * 10) / 10;
  return { label, medianMs: at(0.5), p95Ms: at(0.95), found };
}
const list = (q: PeopleQuery) => () => listPeople(ctx, q);
const rows = [
  await time('baseline: count(*) of the district accounts', () => db.all(sql`SELECT count(*) FROM users WHERE tenant_id = ${tenant.id}`)),
  await time('first page, sorted by name', list({})),
  await time('search by part of a surname ("schmi")', list({ q: 'schmi' })),
  await time('search by part of an e-mail address ("00042")', list({ q: '00042' })),
  ...(withNumber?.external_id ? [await time('search by personnel number', list({ q: withNumber.external_id }))] : []),
  ...(parent ? [await time(`org unit with its ${parent.n} sub-units`, list({ unit: parent.id }))] : []),
  await time('sorted by last login, descending', list({ sort: 'login', dir: 'desc' })),
  await time('sorted by org unit', list({ sort: 'unit' })),
  await time('last page', list({ page: 100_000 })),
  await time('search and unit filter together, page 2', list({ q: 'an', unit: parent?.id, page: 2 })),
];
console.log('| measurement | matches | median ms | p95 ms | × baseline |\n|---|--:|--:|--:|--:|');
const base = rows[0]?.medianMs || 1;
for (const r of rows) console.log(`| ${r.label} | ${r.found ?? '–'} | ${r.medianMs} | ${r.p95Ms} | ${(r.medianMs / base).toFixed(1)} |`);
close();
