/**
 * `node bench/evidence-export.ts --db FILE [--tenant bench] [--rounds 1]`
 *
 * Times HR's evidence exports (exportEvidenceFile, as the background job and the CLI make them) on a generated
 * district (`kiko demo generate --staff 50000 --org-units 200 --progress-rows 1000000`): CSV for Excel, XLSX and JSON
 * of the whole district, and the PDF report with the annex of an org unit of about 5,000 people. Each export runs in
 * its own child process (bench/lib/export-child.ts: in a worker thread with the young generation
 * `kiko evidence export` gives it, bin/batch-thread.mjs), which reports its time and peak RSS (process.resourceUsage().maxRSS; in brackets the RSS
 * before the export began: Node, content, database client), next to the same run's baseline: a child that computes
 * the status of the same people (the one status rule, no file). Stored coverage months are cleared first; then the
 * server job's work (storeMissingMonths: the trend's 23 past month ends computed and stored) is timed in its own child
 * before the PDF reads them, as it does once the job has run.
 * Targets (HR issue): CSV ≤ 5 s and ≤ 300 MB peak memory; XLSX ≤ 30 s; PDF with a 5,000-person annex ≤ 30 s.
 * The database file is migrated first: use a copy of a shared bench database. `--only csv-excel,json` runs only those
 * exports (and the baseline).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import { openDb } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { coverageMonthTable, tenantTable } from '../db/schema/index.ts';
import { ANNEX_LIMIT } from '../src/lib/server/hr/write-evidence-report.ts';
import { createUser } from '../src/lib/server/users/create-user.ts';

const { values: flags } = parseArgs({
  options: {
    db: { type: 'string' },
    tenant: { type: 'string', default: 'bench' },
    rounds: { type: 'string', default: '1' },
    // only these exports (comma-separated modes: csv-excel, xlsx, json, months, pdf); the baseline always runs
    only: { type: 'string' },
  },
});
if (!flags.db) throw new Error('--db FILE');
const url = `file:${flags.db}`;

const { db, close } = await openDb({ url });
await runMigrations(db);
const [tenant] = await db
  .select()
  .from(tenantTable)
  .where(eq(tenantTable.slug, String(flags.tenant)));
if (!tenant) throw new Error(`no tenant ${flags.tenant}`);
const email = `hr-export-bench-${Date.now()}@bench.example`;
const { id: hrId } = await createUser(db, { tenant: tenant.slug, email, name: 'HR Bench', roles: ['hr'], password: 'kiko-bench-hr-1234' });

// the org unit whose subtree holds closest to 5,000 active people
const units = await db.all<{ id: string; parent: string | null; code: string; n: number }>(
  sql`SELECT o.id AS id, o.parent_id AS parent, o.code AS code,
             (SELECT count(*) FROM users u WHERE u.org_unit_id = o.id AND u.status = 'active') AS n
        FROM org_units o WHERE o.tenant_id = ${tenant.id}`,
);
const children = new Map<string, string[]>();
for (const u of units) if (u.parent) children.set(u.parent, [...(children.get(u.parent) ?? []), u.id]);
const own = new Map(units.map((u) => [u.id, Number(u.n)]));
const size = (id: string): number => (own.get(id) ?? 0) + (children.get(id) ?? []).reduce((s, c) => s + size(c), 0);
const target = units.map((u) => ({ ...u, total: size(u.id) })).sort((a, b) => Math.abs(a.total - 5000) - Math.abs(b.total - 5000))[0];
if (!target) throw new Error('no org units');
// the PDF's 24-month trend: the first report of a month computes and stores the past month ends, later ones read them
await db.delete(coverageMonthTable).where(eq(coverageMonthTable.tenantId, tenant.id));
close();

const dir = mkdtempSync(join(tmpdir(), 'kiko-export-bench-'));
const childScript = fileURLToPath(new URL('./lib/export-child.ts', import.meta.url));
interface ChildResult {
  ms: number;
  startRssMb: number;
  maxRssMb: number;
  people: number;
  size: number;
}
function child(mode: string, opts: { unit?: string; ext?: string } = {}): ChildResult {
  const out = join(dir, `export-${mode}.${opts.ext ?? 'out'}`);
  const args = [
    '--import',
    join(import.meta.dirname, '..', 'bin', 'module-hooks.mjs'),
    childScript,
    '--db',
    String(flags.db),
    '--mode',
    mode,
    '--hr',
    hrId,
    '--out',
    out,
    ...(opts.unit ? ['--unit', opts.unit] : []),
  ];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, NODE_ENV: 'production' } });
  if (r.status !== 0) throw new Error(`${mode}: ${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop() ?? '{}';
  const res = JSON.parse(line);
  if (mode !== 'baseline' && mode !== 'months') res.size = statSync(out).size;
  rmSync(out, { force: true });
  return res;
}

const rounds = Number(flags.rounds);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
function measure(mode: string, opts: { unit?: string; ext?: string } = {}) {
  const runs = Array.from({ length: rounds }, () => child(mode, opts));
  return {
    ms: median(runs.map((r) => r.ms)),
    // peak RSS: the median of the rounds (the garbage collector's timing moves it), and their range
    maxRssMb: median(runs.map((r) => r.maxRssMb)),
    rssRange: `${Math.min(...runs.map((r) => r.maxRssMb))}–${Math.max(...runs.map((r) => r.maxRssMb))}`,
    startRssMb: Math.max(...runs.map((r) => r.startRssMb)),
    people: runs[0]?.people ?? 0,
    sizeMb: Math.round(((runs[0]?.size ?? 0) / 1024 / 1024) * 10) / 10,
  };
}

const baseline = measure('baseline');
const scenarios: Array<[string, string, { unit?: string; ext?: string }, string]> = [
  ['CSV for Excel, whole district', 'csv-excel', { ext: 'csv' }, '≤ 5 s, ≤ 300 MB'],
  ['XLSX, whole district', 'xlsx', { ext: 'xlsx' }, '≤ 30 s'],
  ['JSON, whole district', 'json', { ext: 'json' }, '–'],
  // "people" of this row: the month ends computed
  ['server job coverage-months: the past month ends of the 24-month trend, computed and stored', 'months', {}, '–'],
  [`PDF report, org unit ${target.code} (subtree), again (stored month ends)`, 'pdf', { unit: target.id, ext: 'pdf' }, '≤ 30 s'],
];
const rows = [{ label: 'baseline: status of all staff now (getStatusAsOf, no file)', ...baseline, target: '–' }];
const only = flags.only ? new Set(flags.only.split(',')) : null;
for (const [label, mode, opts, goal] of scenarios) if (!only || only.has(mode)) rows.push({ label, ...measure(mode, opts), target: goal });
console.log(
  `District ${tenant.slug}: ${baseline.people} people; PDF unit ${target.code} with ${target.total} active people${target.total > ANNEX_LIMIT ? ` (over ${ANNEX_LIMIT}: the annex is left to the XLSX)` : ''}.`,
);
console.log(
  '| export | time | peak RSS (median [range] of the rounds; before the export) | people | file | × baseline time | × baseline peak RSS | target |',
);
console.log('|---|--:|--:|--:|--:|--:|--:|---|');
for (const r of rows)
  console.log(
    `| ${r.label} | ${(r.ms / 1000).toFixed(1)} s | ${r.maxRssMb} MB${rounds > 1 ? ` [${r.rssRange}]` : ''} (${r.startRssMb} MB) | ${r.people} | ${r.sizeMb ? `${r.sizeMb} MB` : '–'} | ${(r.ms / baseline.ms).toFixed(1)} × | ${(r.maxRssMb / baseline.maxRssMb).toFixed(2)} × | ${r.target} |`,
  );
console.log(JSON.stringify({ at: new Date().toISOString(), tenant: tenant.slug, unit: target.code, unitPeople: target.total, rows }));
rmSync(dir, { recursive: true, force: true });
