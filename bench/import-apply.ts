/**
 * `npx node bench/import-apply.ts [--people 5000] [--rounds 3] [--learners 200]`
 *
 * Times the staff import (users/import/import-people.ts) on a fresh temporary libSQL file: the dry run, the first
 * apply of N new people (users, role grants, learning-record facts and audit entries, staged as an import run and
 * written in batches of 1,000 people, one short transaction each), the same file applied again (nothing changes), and an apply that moves every person to another org
 * unit. Baseline of the same run: one plain INSERT … SELECT FROM json_each of the same N user rows in one transaction
 * (the least any import of these rows has to write). Reports medians over the rounds, each round on a new database,
 * the ratios to the baseline, and the process's peak RSS. Nothing is asserted.
 *
 * While the first apply runs, learners keep writing as they would on the site (a first lesson visit every 20 ms: one
 * progress row and one fact, the same write an answered quiz item makes) through the same database client; their
 * latencies (p50/p99/max) are reported beside the same writes on the idle database, the baseline (the issue's target:
 * answers' p99 under 1 s during a 50,000-row apply). Half of the learners write while idle, the other half during the
 * apply; each (learner, lesson) pair is visited once, so 200 learners cover about 10 s of writes per phase. A visit's
 * latency counts from when it was due, so time the event loop is held by the import counts too. Peak RSS
 * is reported beside the RSS right after the modules are loaded (the share no import can save).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { openDb } from '../db/client.ts';
import { loadContent } from '../src/lib/server/content/load-content.ts';
import type { Ctx } from '../src/lib/server/context.ts';
import { personContext, systemContext } from '../src/lib/server/context.ts';
import { prepareDatabase } from '../src/lib/server/evidence/prepare-database.ts';
import { visitLesson } from '../src/lib/server/learning/lesson-progress.ts';
import { ensureTenant } from '../src/lib/server/tenancy/create-tenant.ts';
import { createUser } from '../src/lib/server/users/create-user.ts';
import { getAuthUser } from '../src/lib/server/users/get-auth-user.ts';
import { applyImport, previewImport } from '../src/lib/server/users/import/import-people.ts';

const startRss = Math.round(process.memoryUsage().rss / 1024 / 1024);
const { values: flags } = parseArgs({
  options: {
    people: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '3' },
    learners: { type: 'string', default: '200' },
  },
});
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
const quantile = (ms: number[], q: number): number =>
  [...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.floor(ms.length * q))] ?? 0;
const lessons = [...content.courses].flatMap(([courseId, c]) => c.lessons.map((l) => [courseId, l.id] as const));

/**
 * First lesson visits every 20 ms until `stop()`; each (learner, lesson) once. Returns the latencies, each measured
 * from the moment the visit was due (not from when the timer got to run): while a batch holds the event loop, the
 * visits that fall due meanwhile wait, and that wait counts (no coordinated omission).
 */
function keepLearning(learners: Ctx[]): { stop: () => Promise<number[]> } {
  const latencies: number[] = [];
  const pending: Promise<unknown>[] = [];
  const pairs = learners.flatMap((ctx) => lessons.map(([courseId, lessonId]) => ({ ctx, courseId, lessonId })));
  const start = performance.now();
  let next = 0;
  const timer = setInterval(() => {
    const due = Math.floor((performance.now() - start) / 20);
    for (; next <= due && next < pairs.length; next++) {
      const pair = pairs[next];
      if (!pair) break;
      const t0 = start + next * 20;
      pending.push(visitLesson(pair.ctx, pair.courseId, pair.lessonId).then(() => latencies.push(performance.now() - t0)));
    }
  }, 20);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all(pending);
      return latencies;
    },
  };
}
const writes: { idle: number[]; during: number[] } = { idle: [], during: [] };
const times: Record<string, number[]> = { baseline: [], dryRun: [], apply: [], again: [], move: [] };
const first = csv(0);
const moved = csv(1);
let summary = '';
/** Peak RSS (MB) of the process when each step had ended (the first round): where the peak comes from. */
const peaks: string[] = [];
const peakAfter = (step: string): void => {
  if (peaks.length < 6) peaks.push(`${step} ${Math.round(process.resourceUsage().maxRSS / 1024)}`);
};

for (let r = 0; r < rounds; r++) {
  const dir = mkdtempSync(join(tmpdir(), 'kiko-bench-import-'));
  const { db, close } = await openDb({ url: `file:${join(dir, 'bench.db')}` });
  try {
    await prepareDatabase(db);
    const tenant = await ensureTenant(db, { slug: 'bench', name: 'Landkreis Bench' }, units);
    const ctx = systemContext(db, content, { tenantId: tenant.id, name: 'bench' });
    const learners: Ctx[] = [];
    for (let i = 0; i < Number(flags.learners); i++) {
      const { id } = await createUser(db, { tenant: 'bench', email: `lernende.${i}@bench.example`, name: `Lernende ${i}` });
      const user = await getAuthUser(db, id);
      if (user) learners.push(personContext(db, user, content));
    }
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
    peakAfter('baseline');
    t0 = performance.now();
    const plan = await previewImport(ctx, { file: first });
    times.dryRun?.push(performance.now() - t0);
    peakAfter('dry run');
    // the learners' writes on the idle database, as long as the apply will take (at least 2 s)
    const idle = keepLearning(learners.slice(0, Math.ceil(learners.length / 2)));
    await new Promise((r) => setTimeout(r, Math.max(2000, (times.dryRun?.at(-1) ?? 0) * 3)));
    writes.idle.push(...(await idle.stop()));
    const during = keepLearning(learners.slice(Math.ceil(learners.length / 2)));
    t0 = performance.now();
    const applied = await applyImport(ctx, { file: first });
    times.apply?.push(performance.now() - t0);
    peakAfter('first apply');
    writes.during.push(...(await during.stop()));
    t0 = performance.now();
    const again = await applyImport(ctx, { file: first });
    times.again?.push(performance.now() - t0);
    peakAfter('again');
    t0 = performance.now();
    const move = await applyImport(ctx, { file: moved });
    times.move?.push(performance.now() - t0);
    peakAfter('move');
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
const w = (label: string, ms: number[]): string =>
  `| ${label} | ${ms.length} | ${Math.round(quantile(ms, 0.5))} ms | ${Math.round(quantile(ms, 0.99))} ms | ${Math.round(quantile(ms, 1))} ms |`;
console.log("\n| learners' first lesson visits (one every 20 ms) | writes | p50 | p99 | max |\n|---|--:|--:|--:|--:|");
console.log(w('idle database (baseline)', writes.idle));
console.log(w('during the first apply', writes.during));
console.log(
  `peak RSS: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (after loading the modules: ${startRss} MB; peak after each step of round 1, MB: ${peaks.join(', ')})`,
);
