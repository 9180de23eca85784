/**
 * `npm run bench:compare -- [--ref 07a4e22] [--rounds 2] [--only lesson,quiz] [--out FILE]`
 *
 * Runs the same quick bench scenarios against an earlier KIKO (a git worktree of `--ref`, built once) and against
 * this tree, alternating (base, current, base, current, …) in one run so both see the same machine, and prints each
 * scenario's throughput and latency side by side with the ratio current ÷ base. Writes the raw figures to --out
 * (default bench/results/compare-<ref>.json).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values: flags } = parseArgs({
  options: {
    ref: { type: 'string', default: '07a4e22' },
    rounds: { type: 'string', default: '2' },
    only: { type: 'string', default: 'lesson,quiz' },
    out: { type: 'string' },
  },
});
const ref = flags.ref;
const base = join(tmpdir(), `kiko-base-${ref}`);
const log = (m) => console.error(`[compare] ${m}`);

if (!existsSync(base)) {
  log(`worktree ${ref} → ${base}`);
  execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', base, ref], { stdio: 'inherit' });
}
// the earlier tree uses this tree's installed packages (the same lock file or a subset of it)
if (!existsSync(join(base, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(base, 'node_modules'));
if (!existsSync(join(base, 'dist', 'server', 'entry.mjs'))) {
  log(`building ${ref} …`);
  execFileSync('npm', ['run', 'build'], { cwd: base, stdio: 'inherit' });
}
if (!existsSync(join(root, 'dist', 'server', 'entry.mjs'))) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });

const runs = [];
for (let round = 1; round <= Number(flags.rounds); round++)
  for (const [label, dir] of [
    ['base', base],
    ['current', root],
  ]) {
    const out = join(tmpdir(), `kiko-compare-${label}-${round}.json`);
    log(`round ${round}: ${label} (${dir})`);
    const r = spawnSync(process.execPath, ['bench/run.mjs', '--quick', '--only', flags.only, '--out', out], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`bench in ${dir} failed (${r.status})`);
    runs.push({ label, round, results: JSON.parse(readFileSync(out, 'utf8')) });
  }

/** Median of the rounds per side and scenario. */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const ids = [...new Set(runs.flatMap((r) => r.results.scenarios.map((s) => s.id)))];
const rows = ids.map((id) => {
  const side = (label) => {
    const s = runs
      .filter((r) => r.label === label)
      .map((r) => r.results.scenarios.find((x) => x.id === id))
      .filter(Boolean);
    return {
      rps: median(s.map((x) => x.requestsPerS)),
      p50: median(s.map((x) => x.p50)),
      p99: median(s.map((x) => x.p99)),
      errors: s.reduce((n, x) => n + (x.errors ?? 0), 0),
    };
  };
  const b = side('base');
  const c = side('current');
  return { id, base: b, current: c, ratio: Math.round((c.rps / b.rps) * 100) / 100 };
});
const md = [
  `| scenario | ${ref} req/s | p50 / p99 ms | current req/s | p50 / p99 ms | current ÷ ${ref} |`,
  '|---|--:|--:|--:|--:|--:|',
  ...rows.map(
    (r) =>
      `| ${r.id} | ${r.base.rps} | ${r.base.p50} / ${r.base.p99} | ${r.current.rps} | ${r.current.p50} / ${r.current.p99} | ${r.ratio} |`,
  ),
].join('\n');
console.log(md);
const out = resolve(flags.out ?? join(root, 'bench', 'results', `compare-${ref}.json`));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ ref, rounds: Number(flags.rounds), finishedAt: new Date().toISOString(), rows, runs: runs.map((r) => ({ label: r.label, round: r.round, scenarios: r.results.scenarios })) }, null, 2)}\n`,
);
writeFileSync(out.replace(/\.json$/, '.md'), `${md}\n`);
log(`wrote ${out}`);
