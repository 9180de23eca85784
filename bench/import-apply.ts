/**
 * `npx node bench/import-apply.ts [--people 5000] [--rounds 3]`
 *
 * Times the staff import (users/import/import-people.ts) on a fresh temporary libSQL file: the dry run, the first
 * apply of N new people (users, role grants, learning-record facts and audit entries, set-based in batches, one
 * transaction), the same file applied again (nothing changes), and an apply that moves every person to another org
 * unit. Baseline of the same run: one plain INSERT … SELECT FROM json_each of the same N user rows in one transaction
 * (the least any import of these rows has to write). Reports medians over the rounds, each round on a new database,
 * the ratios to the baseline, and the process's peak RSS. Nothing is asserted.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { openDb } from '../db/client.ts';
import { loadContent } from '../src/lib/server/content/load-content.ts';
import { systemContext } from '../src/lib/server/context.ts';
import { prepareDatabase } from '../src/lib/server/evidence/prepare-database.ts';
import { ensureTenant } from '../src/lib/server/tenancy/create-tenant.ts';
import { applyImport, previewImport } from '../src/lib/server/users/import/import-people.ts';

const { values: flags } = parseArgs({ options: { people: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '3' } } });
const people = Number(flags.people);
const rounds = Number(flags.rounds);
const content = loadContent({ root: process.cwd() });
const units = Array.from({ length: 20 }, (_, i) => ({ code: `OE-${i + 1}`, name: `Amt ${i + 1}` }));

function csv(unitOffset: number): Buffer {
  const lines = ['Personalnummer;Vorname;Nachname;E-Mail;Organisationseinheit;Funktion'];
  for (let i = 0; i < people; i++)
    lines.push(
      `P-${i};Vorname${i};Nachname${i};person.${i}@bench.example;OE-${((i + unitOffset) % units.length) + 1};${i % 7 === 0 ? 'Führungskraft' : 'Sachbearbeitung'}`,
    );
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

const median = (ms: number[]): number => [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)] ?? 0;
const times: Record<string, number[]> = { baseline: [], dryRun: [], apply: [], again: [], move: [] };
const first = csv(0);
const moved = csv(1);
let summary = '';

for (let r = 0; r < rounds; r++) {
  const dir = mkdtempSync(join(tmpdir(), 'kiko-bench-import-'));
  const { db, close } = await openDb({ url: `file:${join(dir, 'bench.db')}` });
  try {
    await prepareDatabase(db);
    const tenant = await ensureTenant(db, { slug: 'bench', name: 'Landkreis Bench' }, units);
    const ctx = systemContext(db, content, { tenantId: tenant.id, name: 'bench' });
    // baseline: the same number of user rows in one plain set-based INSERT (into a copy of the table's columns)
    await db.run(
      sql`CREATE TABLE bench_users (id TEXT PRIMARY KEY, tenant_id TEXT, email TEXT, name TEXT, org_unit_id TEXT, job_role TEXT)`,
    );
    const rows = JSON.stringify(
      Array.from({ length: people }, (_, i) => [
        randomUUID(),
        tenant.id,
        `person.${i}@bench.example`,
        `Vorname${i} Nachname${i}`,
        'x',
        'sachbearbeitung',
      ]),
    );
    let t0 = performance.now();
    await db.transaction(async (tx) => {
      await tx.run(
        sql`INSERT INTO bench_users SELECT j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5 FROM json_each(${rows}) j`,
      );
    });
    times.baseline?.push(performance.now() - t0);
    t0 = performance.now();
    const plan = await previewImport(ctx, { file: first });
    times.dryRun?.push(performance.now() - t0);
    t0 = performance.now();
    const applied = await applyImport(ctx, { file: first });
    times.apply?.push(performance.now() - t0);
    t0 = performance.now();
    const again = await applyImport(ctx, { file: first });
    times.again?.push(performance.now() - t0);
    t0 = performance.now();
    const move = await applyImport(ctx, { file: moved });
    times.move?.push(performance.now() - t0);
    summary = `dry run: ${plan.rowCount} rows, ${plan.created.length} new, ${plan.errors.length} errors; apply: ${applied.created} new; again: ${again.created} new, ${again.changed} changed, ${again.unchanged} unchanged; move: ${move.changed} changed`;
  } finally {
    close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const base = median(times.baseline ?? []);
const line = (label: string, key: string): string => {
  const m = median(times[key] ?? []);
  return `| ${label} | ${Math.round(m)} ms | ${Math.round(base)} ms | ${(m / base).toFixed(1)} × |`;
};
console.log(`Import of ${people.toLocaleString('en')} people, median of ${rounds} rounds (${summary})`);
console.log('| step | median | baseline (plain INSERT of the rows) | ratio |');
console.log('|---|--:|--:|--:|');
console.log(line('dry run', 'dryRun'));
console.log(line('first apply (all new)', 'apply'));
console.log(line('same file again (no change)', 'again'));
console.log(line('every person moved to another unit', 'move'));
console.log(`peak RSS: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
