#!/usr/bin/env node
/**
 * `npm run bench [-- --quick] [options]`: KIKO's load benchmark in one run.
 *
 * Builds if dist/ is missing (or lacks /api/health), generates a district into a fresh database file in a temp
 * folder, creates sessions and open quiz attempts for virtual learners, starts the production server on loopback,
 * measures the same-run baselines (bare node:http, an Astro endpoint without database, a raw libSQL loop) and every
 * scenario, then writes bench/results/latest.json (and latest.md) and prints a Markdown table.
 * See bench/README.md for what each scenario does and what the targets are.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDb } from '../db/client.ts';
import { loadContent } from '../src/lib/server/content/load-content.ts';
import { BENCH_PASSWORD } from '../src/lib/server/demo/generate-district.ts';
import { prepareDatabase } from '../src/lib/server/evidence/prepare-database.ts';
import { seededRandom } from '../src/lib/server/quizzes/draw-attempt.ts';
import { runExamDay } from './lib/exam-day.ts';
import { answerRequests, createSessions, missingResponses, openAttempts, pickUsers } from './lib/fixtures.ts';
import { pageJavaScript } from './lib/js-size.ts';
import { libsqlLoop } from './lib/libsql-loop.ts';
import { probe, runLoad } from './lib/load.ts';
import { profileTop } from './lib/profile-top.ts';
import { buildState, CpuMeter, processMemory, RssSampler, snapshotBuild, startHelloServer, startKiko } from './lib/server.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TENANT = 'bench';
const COURSE = 'ki-kompetenz-basis';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'think-scale': { type: 'string' },
    learners: { type: 'string' },
    connections: { type: 'string' },
    duration: { type: 'string' },
    staff: { type: 'string' },
    'progress-rows': { type: 'string' },
    only: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    analyze: { type: 'boolean', default: false },
    'count-queries': { type: 'boolean', default: false },
    'server-node-args': { type: 'string' },
    workers: { type: 'string' },
    'mixed-duration': { type: 'string' },
    keep: { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(`npm run bench -- [--quick] [--think-scale 0.1] [--learners 3000] [--connections 32] [--duration 20]
                 [--staff 50000] [--progress-rows 1000000] [--only lesson,quiz,...] [--cpu-prof] [--analyze] [--count-queries] [--server-node-args "…"] [--workers N] [--mixed-duration 600] [--keep] [--out FILE]
--mixed-duration S runs the mixed load for S seconds (full run: 600, the memory target's 10 minutes; quick: 8).
--workers N starts the server with KIKO_WORKERS=N (server processes sharing the port; memory and CPU figures add them up).
--server-node-args=… passes Node.js options to the server (write it with "=", e.g. --server-node-args=--max-semi-space-size=8).
--count-queries writes how often the server prepared each SQL statement to results/<name>-queries.json.
--analyze runs SQLite's ANALYZE on the generated database before the server starts (see bench/README.md, findings).
Scenarios: ${'baselines lesson anonymous lernpfad quiz login js exam mixed'}`);
  process.exit(0);
}

const quick = flags.quick;
const num = (v, fallback) => (v === undefined ? fallback : Number(v));
const cfg = {
  mode: quick ? 'quick' : 'full',
  analyze: flags.analyze,
  serverNodeArgs: flags['server-node-args'] ?? '',
  workers: flags.workers ?? '1',
  staff: num(flags.staff, quick ? 10_000 : 50_000),
  orgUnits: quick ? 50 : 200,
  progressRows: num(flags['progress-rows'], quick ? 200_000 : 1_000_000),
  connections: num(flags.connections, 32),
  durationS: num(flags.duration, quick ? 5 : 20),
  warmupS: quick ? 1 : 3,
  loginConnections: 4,
  loginDurationS: quick ? 4 : 15,
  // the memory target is "after 10 minutes of mixed load"
  mixedDurationS: num(flags['mixed-duration'], quick ? 8 : 600),
  libsqlS: quick ? 4 : 10,
  pageUsers: quick ? 500 : 2000,
  examLearners: num(flags.learners, quick ? 500 : 3000),
  examConnections: 128,
  thinkScale: num(flags['think-scale'], quick ? 0.01 : 1),
  examTimeLimitS: quick ? 45 : 900,
  drainLimitS: quick ? 20 : 120,
  loginUsers: 400,
};
// fresh items for the quiz scenario: enough for 3,000 answers/s (above the target) over warm-up and run
cfg.quizAttempts = Math.ceil((3000 * (cfg.durationS + cfg.warmupS)) / 10);
const only = flags.only ? new Set(flags.only.split(',')) : null;
const wanted = (id) => !only || only.has(id);

const log = (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const round1 = (x) => Math.round(x * 10) / 10;

function cpuPressure() {
  try {
    return Number(/avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1]);
  } catch {
    return null;
  }
}

function machine() {
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: round1(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadavg: os.loadavg().map(round1),
    cpuPressureAvg60: cpuPressure(),
  };
}

/** What to stop and remove if the run is interrupted (Ctrl-C): our own child processes and the temp folder. */
const cleanup = { children: new Set(), stops: new Set(), dir: undefined };
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    log(`${signal}: stopping …`);
    for (const child of cleanup.children) child.kill('SIGTERM');
    await Promise.allSettled([...cleanup.stops].map((stop) => stop()));
    if (cleanup.dir && !flags.keep) rmSync(cleanup.dir, { recursive: true, force: true });
    process.exit(130);
  });
}

/** Spawns a command, returns its stdout; throws with its output when it fails. */
function run(cmd, args, env = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanup.children.add(child);
    child.on('exit', () => cleanup.children.delete(child));
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err = (err + d).slice(-20_000)));
    child.on('exit', (code) =>
      code === 0 ? resolvePromise(out) : reject(new Error(`${cmd} ${args.join(' ')} → ${code}\n${err}${out.slice(-5000)}`)),
    );
  });
}

async function main() {
  const startedAt = new Date();
  const results = {
    version: 1,
    mode: cfg.mode + (flags.analyze ? '+analyze' : '') + (flags['cpu-prof'] ? '+cpu-prof' : ''),
    startedAt: startedAt.toISOString(),
    machineAtStart: machine(),
    settings: cfg,
  };
  log(`KIKO bench (${cfg.mode}) on ${results.machineAtStart.nproc} CPUs, ${results.machineAtStart.memoryGb} GB, Node ${process.version}`);

  const state = buildState(root);
  if (state !== 'ok') {
    log(state === 'missing' ? 'dist/ is missing: building (astro build) …' : 'dist/ has no /api/health (older build): rebuilding …');
    const b = spawnSync(process.execPath, [join(root, 'node_modules', 'astro', 'bin', 'astro.mjs'), 'build'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
    });
    if (b.status !== 0) throw new Error('astro build failed');
  }

  const dir = mkdtempSync(join(os.tmpdir(), 'kiko-bench-'));
  cleanup.dir = dir;
  const dbUrl = `file:${join(dir, 'bench.db')}`;
  const keyDir = join(dir, 'keys');
  let server;
  let hello;
  try {
    // 1. data
    log(
      `generating ${cfg.staff.toLocaleString('en')} staff, ${cfg.orgUnits} org units, ${cfg.progressRows.toLocaleString('en')} progress rows …`,
    );
    const t0 = performance.now();
    const genOut = await run(
      process.execPath,
      [
        'bin/kiko.mjs',
        'demo',
        'generate',
        '--tenant',
        TENANT,
        '--staff',
        String(cfg.staff),
        '--org-units',
        String(cfg.orgUnits),
        '--progress-rows',
        String(cfg.progressRows),
        '--json',
      ],
      { DATABASE_URL: dbUrl, NODE_ENV: 'development', KIKO_DEMO: 'false' },
    );
    const generated = JSON.parse(genOut.trim().split('\n').pop());
    results.generate = { ...generated, processWallMs: Math.round(performance.now() - t0) };
    log(
      `generated in ${(generated.ms / 1000).toFixed(1)} s (process ${((performance.now() - t0) / 1000).toFixed(1)} s, peak RSS ${generated.peakRssMb} MB)`,
    );

    // 2. virtual learners: sessions straight into the database, open attempts via the same verb as the start button
    const content = loadContent({ root });
    const lessons = [...content.courses.values()].flatMap((c) => c.lessons.map((l) => `/kurse/${c.course.id}/${l.id}`));
    const handle = await openDb({ url: dbUrl });
    await prepareDatabase(handle.db, root);
    let offset = 1; // person-000001 is the tenant's admin
    const take = async (n) => {
      const users = await pickUsers(handle.client, TENANT, offset, n);
      offset += n;
      return users;
    };
    const pageUsers = await take(cfg.pageUsers);
    const quizUsers = wanted('quiz') ? await take(cfg.quizAttempts) : [];
    const examUsers = wanted('exam') ? await take(cfg.examLearners) : [];
    const loginUsers = await take(cfg.loginUsers);
    log(`creating ${pageUsers.length + quizUsers.length + examUsers.length} sessions and ${quizUsers.length} open attempts …`);
    const pageCookies = await createSessions(handle.db, pageUsers);
    const quizCookies = await createSessions(handle.db, quizUsers);
    const examCookies = await createSessions(handle.db, examUsers);
    const attempts = await openAttempts(handle.db, content, quizUsers, COURSE);
    const answers = answerRequests(content, attempts, COURSE, seededRandom('bench-answers'));
    if (flags.analyze) {
      // query planner statistics (sqlite_stat1); analysis_limit keeps it to milliseconds on millions of rows
      await handle.client.execute('PRAGMA analysis_limit = 1000');
      await handle.client.execute('ANALYZE');
      log('ANALYZE done (planner statistics in sqlite_stat1)');
    }
    handle.close();

    // 3. the server
    const profDir = flags['cpu-prof'] ? join(root, 'bench', 'results', 'prof', startedAt.toISOString().replace(/[:.]/g, '-')) : undefined;
    if (profDir) mkdirSync(profDir, { recursive: true });
    const appDir = snapshotBuild(root, join(dir, 'app'));
    const queryLog = flags['count-queries'] ? outFile().replace(/\.json$/, '-queries.json') : undefined;
    const nodeArgs = flags['server-node-args']?.split(' ').filter(Boolean);
    server = await startKiko({ root, appDir, dbUrl, keyDir, cpuProfDir: profDir, queryLog, nodeArgs, env: { KIKO_WORKERS: cfg.workers } });
    cleanup.stops.add(server.stop);
    const base = server.url;
    const origin = base;
    results.serverStartRssMb = processMemory(server.pid)?.rssMb ?? null;
    log(`server ${base} (pid ${server.pid}, RSS ${results.serverStartRssMb ?? '?'} MB)`);
    results.startJobsMs = await waitForStartJobs(dbUrl);

    const scenarios = [];
    const baselines = {};
    /**
     * Waits until the server has worked off what an overloaded scenario left queued (autocannon stops sending, the
     * server keeps answering), so that it does not slow down the next scenario: three health checks under 50 ms.
     */
    const drain = async () => {
      const t = performance.now();
      let fast = 0;
      while (fast < 3 && performance.now() - t < cfg.drainLimitS * 1000) {
        const s = performance.now();
        await fetch(`${base}/api/health`).then(
          (r) => r.arrayBuffer(),
          () => null,
        );
        fast = performance.now() - s < 50 ? fast + 1 : 0;
        if (fast < 3) await new Promise((r) => setTimeout(r, 100));
      }
      const waited = (performance.now() - t) / 1000;
      if (waited > 1) log(`  (waited ${waited.toFixed(1)} s for the server to drain)`);
    };
    /**
     * Runs a warm-up and the measured load while sampling the server's RSS (or `pid`'s). `spec` is a load spec or a
     * function making one per phase (so a scenario can keep state such as a cursor across both).
     */
    const measure = async (id, title, spec, { pid } = {}) => {
      const specFor = typeof spec === 'function' ? spec : () => spec;
      await drain();
      log(`${title} …`);
      const single = await probe(specFor('probe'), 10, 30);
      log(`  one at a time: p50 ${single.p50} ms, max ${single.max} ms (${single.count} requests)`);
      if (cfg.warmupS > 0) await runLoad({ ...specFor('warmup'), durationS: cfg.warmupS });
      const measured = specFor('run');
      const sampler = new RssSampler(pid ?? server.pid).start();
      const meter = new CpuMeter(pid ?? server.pid).start();
      const r = await runLoad(measured);
      const cpu = meter.stop();
      const peakServerRssMb = sampler.stop();
      log(
        `  ${r.requestsPerS} req/s, p50 ${r.latency.p50} ms, p95 ${r.latency.p95} ms, p99 ${r.latency.p99} ms, errors ${r.errors} ${JSON.stringify(r.statusCounts)}`,
      );
      return {
        id,
        title,
        connections: measured.connections,
        oneAtATime: { p50: single.p50, max: single.max, count: single.count, errors: single.errors },
        cpu,
        requestsPerS: r.requestsPerS,
        ...r.latency,
        requests: r.requests,
        errors: r.errors,
        timeoutsAndSocketErrors: r.transportErrors,
        statusCounts: r.statusCounts,
        durationS: r.durationS,
        peakServerRssMb,
      };
    };
    const get = (path, cookie) => ({ path, headers: cookie ? { cookie } : {} });

    // 4. baselines
    if (wanted('baselines')) {
      hello = await startHelloServer();
      cleanup.stops.add(hello.stop);
      baselines['node-http'] = {
        ...(await measure(
          'node-http',
          'Baseline: bare node:http hello',
          { baseUrl: hello.url, connections: cfg.connections, durationS: cfg.durationS, expect: [200], next: () => get('/') },
          { pid: hello.pid },
        )),
        baseline: 'node-http',
      };
      await hello.stop();
      hello = undefined;
      baselines['astro-health'] = {
        ...(await measure('astro-health', 'Baseline: Astro endpoint without database (/api/health)', {
          baseUrl: base,
          connections: cfg.connections,
          durationS: cfg.durationS,
          expect: [200],
          next: () => get('/api/health'),
        })),
        baseline: 'node-http',
      };
      log('Baseline: raw libSQL insert/select loop …');
      const l = await libsqlLoop(dir, cfg.libsqlS);
      baselines['libsql-insert'] = {
        id: 'libsql-insert',
        title: 'Baseline: raw libSQL insert (autocommit, one connection)',
        requestsPerS: l.insert.opsPerS,
        ...l.insert.latency,
        errors: 0,
      };
      baselines['libsql-select'] = {
        id: 'libsql-select',
        title: 'Baseline: raw libSQL select by primary key',
        requestsPerS: l.select.opsPerS,
        ...l.select.latency,
        errors: 0,
      };
      log(`  insert ${l.insert.opsPerS}/s (p99 ${l.insert.latency.p99} ms), select ${l.select.opsPerS}/s (p99 ${l.select.latency.p99} ms)`);
    }

    // 5. scenarios
    const pc = (i) => pageCookies[i % pageCookies.length];
    if (wanted('lesson'))
      scenarios.push({
        ...(await measure('lesson', 'Lesson page, logged in', {
          baseUrl: base,
          connections: cfg.connections,
          durationS: cfg.durationS,
          expect: [200],
          next: (i) => get(lessons[i % lessons.length], pc(i)),
        })),
        baseline: 'astro-health',
        target: { requestsPerS: 2500, p99: 60 },
      });
    if (wanted('anonymous'))
      scenarios.push({
        ...(await measure('lesson-anonymous', 'Lesson page, anonymous (→ 302 to login)', {
          baseUrl: base,
          connections: cfg.connections,
          durationS: cfg.durationS,
          expect: [302],
          next: (i) => get(lessons[i % lessons.length]),
        })),
        baseline: 'astro-health',
      });
    if (wanted('lernpfad'))
      scenarios.push({
        ...(await measure('lernpfad', '"Mein Lernpfad" (/lernen)', {
          baseUrl: base,
          connections: cfg.connections,
          durationS: cfg.durationS,
          expect: [200],
          next: (i) => get('/lernen', pc(i)),
        })),
        baseline: 'astro-health',
      });
    if (wanted('quiz')) {
      // every request answers a fresh item; warm-up and run share one cursor through the prepared answers
      const acked = [];
      let cursor = 0;
      const quizSpec = () => {
        const slot = new Map();
        return {
          baseUrl: base,
          connections: cfg.connections,
          durationS: cfg.durationS,
          expect: [303],
          next: (i) => {
            const k = cursor++;
            slot.set(i, k);
            const a = answers[k % answers.length];
            return {
              method: 'POST',
              path: a.path,
              body: a.body,
              headers: { cookie: quizCookies[a.userIndex], origin, 'content-type': 'application/x-www-form-urlencoded' },
            };
          },
          onStatus: (i, status) => {
            const k = slot.get(i);
            slot.delete(i);
            if (status === 303 && k < answers.length) acked.push([answers[k].attemptId, answers[k].itemId]);
          },
        };
      };
      const entry = await measure('quiz-answer', 'Quiz answer submit (form POST → 303)', quizSpec);
      const check = await openDb({ url: dbUrl });
      const missing = await missingResponses(check.client, acked);
      check.close();
      entry.acknowledged = acked.length;
      entry.acknowledgedMissing = missing.length;
      entry.freshItemsExhausted = cursor > answers.length;
      log(
        `  acknowledged answers missing: ${missing.length} of ${acked.length}${entry.freshItemsExhausted ? ' (fresh items ran out: later requests reused answered items)' : ''}`,
      );
      scenarios.push({ ...entry, baseline: 'libsql-insert', target: { requestsPerS: 2500, p99: 60, errors: 0 } });
    }
    if (wanted('login')) {
      const body = (i) => new URLSearchParams({ email: loginUsers[i % loginUsers.length].email, password: BENCH_PASSWORD }).toString();
      const entry = await measure('login', `Login (argon2id, ${cfg.loginConnections} connections)`, {
        baseUrl: base,
        connections: cfg.loginConnections,
        durationS: cfg.loginDurationS,
        expect: [302],
        next: (i) => ({
          method: 'POST',
          path: '/anmelden?_action=login',
          body: body(i),
          headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        }),
      });
      scenarios.push({ ...entry, baseline: 'astro-health' });
    }
    if (wanted('js')) {
      log('JavaScript shipped by lesson pages …');
      const sizes = [];
      for (const path of lessons) sizes.push({ path, ...(await pageJavaScript(base + path, { cookie: pageCookies[0] })) });
      sizes.sort((a, b) => b.bytes - a.bytes);
      const largest = sizes[0];
      results.jsSize = {
        pages: sizes.length,
        maxBytes: largest?.bytes ?? 0,
        maxGzipBytes: largest?.gzipBytes ?? 0,
        maxPage: largest?.path,
        minBytes: sizes.at(-1)?.bytes ?? 0,
        files: largest?.files ?? [],
        inlineScripts: largest?.inlineScripts ?? 0,
        targetBytes: 30 * 1024,
      };
      log(`  largest: ${largest?.path} ${largest?.bytes} B (${largest?.gzipBytes} B gzip), smallest ${sizes.at(-1)?.bytes} B`);
    }
    if (wanted('exam')) {
      log(
        `Exam day: ${examCookies.length} learners start ${COURSE} at once, think time 30–90 s × ${cfg.thinkScale}, pool ${cfg.examConnections} connections …`,
      );
      await drain();
      const sampler = new RssSampler(server.pid).start();
      const meter = new CpuMeter(server.pid).start();
      let lastTenth = -1;
      const r = await runExamDay({
        baseUrl: base,
        cookies: examCookies,
        courseId: COURSE,
        thinkScale: cfg.thinkScale,
        connections: cfg.examConnections,
        timeLimitS: cfg.examTimeLimitS,
        onProgress: (done, total) => {
          const tenth = Math.floor((done / total) * 10);
          if (tenth > lastTenth) {
            lastTenth = tenth;
            log(`  ${done}/${total} learners done`);
          }
        },
      });
      const cpu = meter.stop();
      const peak = sampler.stop();
      const check = await openDb({ url: dbUrl });
      const missing = await missingResponses(check.client, r.acknowledged);
      check.close();
      const { acknowledged, ...rest } = r;
      results.examDay = {
        ...rest,
        acknowledged: acknowledged.length,
        acknowledgedMissing: missing.length,
        missingSamples: missing.slice(0, 5),
        peakServerRssMb: peak,
        cpu,
        thinkScale: cfg.thinkScale,
        connections: cfg.examConnections,
      };
      log(
        `  finished ${r.finished}/${r.learners} (cut off by the ${cfg.examTimeLimitS} s limit: ${r.cutOff}), errors ${r.errors}, start spike p95 ${r.startSpike.p95} ms, first question p95 ${r.timeToFirstQuestion.p95} ms, steady p95 ${r.steady.p95} ms, acknowledged answers missing: ${missing.length} of ${acknowledged.length}`,
      );
      if (r.errorSamples.length) log(`  e.g. ${r.errorSamples.slice(0, 3).join(' | ')}`);
    }
    if (wanted('mixed')) {
      const mix = [
        (i) => ({ ...get(lessons[i % lessons.length], pc(i)), expect: 200 }),
        (i) => ({ ...get('/lernen', pc(i)), expect: 200 }),
        (i) => ({ ...get(`/kurse/${COURSE}`, pc(i)), expect: 200 }),
        (i) => ({ ...get(lessons[i % lessons.length]), expect: 302 }),
        (i) => ({ ...get(`/kurse/${COURSE}/quiz`, pc(i)), expect: 200 }),
        () => ({ ...get('/api/health'), expect: 200 }),
      ];
      const entry = await measure('mixed', 'Mixed load (lesson, Lernpfad, course, quiz start page, anonymous, health)', {
        baseUrl: base,
        connections: cfg.connections,
        durationS: cfg.mixedDurationS,
        expect: [200, 302],
        next: (i) => mix[i % mix.length](Math.floor(i / mix.length)),
      });
      await drain();
      await new Promise((r) => setTimeout(r, 2000));
      const mem = processMemory(server.pid);
      // V8 gives unused heap back only after a while without allocation; a second reading shows how much of it was that
      await new Promise((r) => setTimeout(r, 15_000));
      const idle = processMemory(server.pid);
      entry.rssAfterMb = mem?.rssMb ?? null;
      results.memory = {
        afterMixedLoadRssMb: mem?.rssMb ?? null,
        afterMixedLoadAnonMb: mem?.anonMb ?? null,
        after15sIdleRssMb: idle?.rssMb ?? null,
        peakRssMb: mem?.peakMb ?? null,
        atStartRssMb: results.serverStartRssMb ?? null,
        targetMb: 512,
      };
      log(
        `  server RSS 2 s after the mixed load was worked off: ${mem?.rssMb} MB (anonymous ${mem?.anonMb} MB), after 15 s more idle ${idle?.rssMb} MB, peak over the run ${mem?.peakMb} MB`,
      );
      scenarios.push({ ...entry, baseline: 'astro-health' });
    }
    results.memory ??= { afterMixedLoadRssMb: null, peakRssMb: processMemory(server.pid)?.peakMb ?? null, targetMb: 512 };

    // ratios to the same-run baselines
    for (const s of [...scenarios, ...Object.values(baselines)]) {
      const b = baselines[s.baseline];
      s.ratio = b ? { requestsPerS: round2(s.requestsPerS / b.requestsPerS), p99: round2(s.p99 / b.p99) } : null;
      const n = baselines['node-http'];
      s.vsNodeHttp = n && s.id !== 'node-http' ? round2(s.requestsPerS / n.requestsPerS) : undefined;
    }
    results.baselines = baselines;
    results.scenarios = scenarios;
    results.targets = targets(results);
  } finally {
    await hello?.stop();
    if (server) {
      await server.stop();
      // the server's own output (errors behind any HTTP 500) next to the results
      const logFile = outFile().replace(/\.json$/, '-server.log');
      mkdirSync(dirname(logFile), { recursive: true });
      writeFileSync(logFile, server.output());
      results.serverLog = logFile.startsWith(root) ? logFile.slice(root.length + 1) : logFile;
      if (flags['cpu-prof']) {
        const profDir = readdirSync(join(root, 'bench', 'results', 'prof'))
          .sort()
          .pop();
        const dirPath = join(root, 'bench', 'results', 'prof', profDir);
        const file = readdirSync(dirPath).find((f) => f.endsWith('.cpuprofile'));
        if (file) {
          const top = profileTop(join(dirPath, file), 25);
          results.profile = { file: join('bench', 'results', 'prof', profDir, file), ...top };
          log(`CPU profile: ${results.profile.file}`);
        }
      }
    }
    if (flags.keep) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  results.finishedAt = new Date().toISOString();
  results.durationS = Math.round((Date.now() - startedAt.getTime()) / 1000);
  results.machineAtEnd = machine();
  const md = markdown(results);
  const out = outFile();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(out.replace(/\.json$/, '.md'), md);
  console.log(md);
  log(`wrote ${out} (${results.durationS} s)`);
}

/** Where the results go: --out, or latest | latest-analyze | profiled | partial.json (only a plain run owns latest.json). */
/**
 * Waits until the server's start jobs have run once (the first run of coverage-months computes the generated
 * district's past month ends, about a second each; a running district has them stored and skips them), so that the
 * scenarios measure the steady state and not that one-time work. Returns the milliseconds waited.
 */
async function waitForStartJobs(dbUrl, limitS = 300) {
  const t = performance.now();
  const { client, close } = await openDb({ url: dbUrl });
  try {
    while (performance.now() - t < limitS * 1000) {
      const r = await client.execute(
        "SELECT count(*) AS n FROM job_leases WHERE name = 'coverage-months' AND last_finished_at IS NOT NULL",
      );
      if (Number(r.rows[0]?.n) > 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    close();
  }
  const ms = Math.round(performance.now() - t);
  log(`  (waited ${(ms / 1000).toFixed(1)} s for the server's start jobs)`);
  return ms;
}

function outFile() {
  const name = flags['cpu-prof'] ? 'profiled' : only ? 'partial' : flags.analyze ? 'latest-analyze' : 'latest';
  return resolve(flags.out ?? join(root, 'bench', 'results', `${name}.json`));
}

function round2(x) {
  return Number.isFinite(x) ? Math.round(x * 100) / 100 : null;
}

function targets(r) {
  const s = (id) => r.scenarios.find((x) => x.id === id);
  const list = [];
  const add = (name, target, measured, met) =>
    list.push({ name, target, measured, met: measured === undefined || measured === null ? null : met });
  const lesson = s('lesson');
  if (lesson)
    add(
      'lesson page',
      '≥ 2,500 req/s, p99 ≤ 60 ms',
      `${lesson.requestsPerS} req/s, p99 ${lesson.p99} ms`,
      lesson.requestsPerS >= 2500 && lesson.p99 <= 60,
    );
  const quiz = s('quiz-answer');
  if (quiz)
    add(
      'quiz submit',
      '≥ 2,500 req/s, p99 ≤ 60 ms, 0 errors',
      `${quiz.requestsPerS} req/s, p99 ${quiz.p99} ms, ${quiz.errors} errors`,
      quiz.requestsPerS >= 2500 && quiz.p99 <= 60 && quiz.errors === 0,
    );
  const e = r.examDay;
  if (e) {
    add('exam day errors', '0', String(e.errors), e.errors === 0);
    add(
      'exam day start spike',
      'p95 ≤ 1.5 s',
      `p95 ${e.startSpike.p95} ms (first question p95 ${e.timeToFirstQuestion.p95} ms)`,
      e.startSpike.p95 <= 1500,
    );
    add('exam day steady phase', 'p95 ≤ 50 ms', `p95 ${e.steady.p95} ms`, e.steady.p95 <= 50);
    add('exam day acknowledged answers missing', '0', String(e.acknowledgedMissing), e.acknowledgedMissing === 0);
  }
  if (r.memory?.afterMixedLoadRssMb)
    add(
      'server RSS after mixed load',
      '≤ 512 MB',
      `${r.memory.afterMixedLoadRssMb} MB (at start ${r.memory.atStartRssMb} MB, after 15 s idle ${r.memory.after15sIdleRssMb} MB, peak ${r.memory.peakRssMb} MB)`,
      r.memory.afterMixedLoadRssMb <= 512,
    );
  if (r.jsSize)
    add(
      'JavaScript per lesson page',
      '≤ 30 KB',
      `${(r.jsSize.maxBytes / 1024).toFixed(1)} KB (${(r.jsSize.maxGzipBytes / 1024).toFixed(1)} KB gzip)`,
      r.jsSize.maxBytes <= 30 * 1024,
    );
  if (r.generate)
    add(
      'generate 1M progress rows',
      '< 10 s, < 500 MB RSS',
      `${(r.generate.ms / 1000).toFixed(1)} s for ${r.generate.progressRows.toLocaleString('en')} rows, ${r.generate.peakRssMb} MB`,
      r.generate.progressRows >= 1_000_000 ? r.generate.ms < 10_000 && r.generate.peakRssMb < 500 : null,
    );
  return list;
}

function markdown(r) {
  const m = r.machineAtStart;
  const lines = [];
  lines.push(
    `KIKO bench, ${r.mode} run, ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC: ${m.nproc} CPUs (${m.cpu}), ${m.memoryGb} GB, Node ${m.node}, server processes ${r.settings.workers ?? 1}, load ${m.loadavg.join('/')} → ${r.machineAtEnd.loadavg.join('/')}, CPU pressure avg60 ${m.cpuPressureAvg60 ?? '–'} % → ${r.machineAtEnd.cpuPressureAvg60 ?? '–'} %`,
  );
  if (r.generate)
    lines.push(
      `Data: ${r.generate.users.toLocaleString('en')} staff, ${r.generate.orgUnits} org units, ${r.generate.progressRows.toLocaleString('en')} progress rows, ${r.generate.quizAttempts.toLocaleString('en')} attempts, ${r.generate.courseCompletions.toLocaleString('en')} completions (generated in ${(r.generate.ms / 1000).toFixed(1)} s wall${r.generate.cpuMs ? `, ${(r.generate.cpuMs / 1000).toFixed(1)} s CPU` : ''}${r.generate.phaseMs ? `; accounts ${(r.generate.phaseMs.accounts / 1000).toFixed(1)} s, progress + attempts ${(r.generate.phaseMs.progress / 1000).toFixed(1)} s` : ''}; peak RSS ${r.generate.peakRssMb} MB)`,
    );
  lines.push('');
  lines.push(
    '| scenario | one at a time p50 ms | conn. | req/s | p50 ms | p95 ms | p99 ms | errors | server RSS max MB | CPU % server / bench / other | baseline | × baseline req/s | × baseline p99 |',
  );
  lines.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|');
  const cpu = (c) => (c ? `${c.serverPct} / ${c.benchPct} / ${c.otherPct}` : '–');
  for (const s of [...Object.values(r.baselines ?? {}), ...(r.scenarios ?? [])])
    lines.push(
      `| ${s.title} | ${s.oneAtATime?.p50 ?? '–'} | ${s.connections ?? 1} | ${s.requestsPerS} | ${s.p50} | ${s.p95} | ${s.p99} | ${s.errors} | ${s.peakServerRssMb ?? '–'} | ${cpu(s.cpu)} | ${s.baseline ?? '–'} | ${s.ratio?.requestsPerS ?? '–'} | ${s.ratio?.p99 ?? '–'} |`,
    );
  const e = r.examDay;
  if (e) {
    lines.push('');
    lines.push(
      `Exam day: ${e.learners} learners, think time 30–90 s × ${e.thinkScale}, pool ${e.connections} connections, ${e.durationS} s, ${e.requests} requests (${e.requestsPerS} req/s), finished ${e.finished}, abandoned ${e.abandoned}, cut off by the time limit ${e.cutOff}, errors ${e.errors}, server RSS max ${e.peakServerRssMb} MB`,
    );
    lines.push('');
    lines.push('| exam-day phase | requests | p50 ms | p95 ms | p99 ms | max ms |');
    lines.push('|---|--:|--:|--:|--:|--:|');
    for (const [name, x] of [
      ['start spike (startQuiz + first page)', e.startSpike],
      ['time to first question (per learner)', e.timeToFirstQuestion],
      ['steady phase (all later requests)', e.steady],
      ['answer POSTs', e.answers],
    ])
      lines.push(`| ${name} | ${x.count} | ${x.p50} | ${x.p95} | ${x.p99} | ${x.max} |`);
    lines.push('');
    lines.push(
      `acknowledged answers missing: ${e.acknowledgedMissing} (of ${e.acknowledged} acknowledged with HTTP 303); CPU % server / bench / other: ${cpu(e.cpu)}`,
    );
    if (e.timeline?.length) {
      lines.push('');
      lines.push(`Steady phase by 30 s window (p95 ms): ${e.timeline.map((w) => `${w.fromS}s ${w.p95} (${w.requests})`).join(', ')}`);
    }
  }
  if (r.targets?.length) {
    lines.push('');
    lines.push('| target | wanted | measured | met |');
    lines.push('|---|---|---|---|');
    for (const t of r.targets)
      lines.push(`| ${t.name} | ${t.target} | ${t.measured} | ${t.met === null ? 'n/a' : t.met ? 'yes' : '**no**'} |`);
  }
  return `${lines.join('\n')}\n`;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
