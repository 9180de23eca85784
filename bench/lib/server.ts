/**
 * Child processes of a bench run: the production KIKO server (`node bin/kiko.mjs serve`), a bare node:http
 * baseline server, and memory sampling of a process through /proc (Linux; elsewhere memory reads as null).
 * Only loopback addresses; every process started here is stopped by its own pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';

export const LOOPBACK = '127.0.0.1';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, LOOPBACK, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** A process and its direct children (the worker processes of `kiko serve` with KIKO_WORKERS > 1). */
export function processTree(pid: number): number[] {
  const pids = [pid];
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        // after "pid (comm) ": state, then the parent's pid
        if (Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1]) === pid) pids.push(Number(name));
      } catch {
        // the process ended while we looked
      }
    }
  } catch {
    // no /proc (not Linux)
  }
  return pids;
}

function ownMemory(pid: number): { rssMb: number; peakMb: number; anonMb: number; fileMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
    const mb = (key: string): number => kb(key) / 1024;
    return { rssMb: mb('VmRSS'), peakMb: mb('VmHWM'), anonMb: mb('RssAnon'), fileMb: mb('RssFile') };
  } catch {
    return null;
  }
}

/**
 * Resident set size now and its peak (VmHWM) in MB, from /proc/<pid>/status, summed over the process and its
 * worker processes (the peak is then the sum of each process's own peak: an upper bound).
 */
export function processMemory(pid: number): { rssMb: number; peakMb: number; anonMb: number; fileMb: number; processes: number } | null {
  const own = processTree(pid)
    .map(ownMemory)
    .filter((m) => m !== null);
  if (own.length === 0) return null;
  const sum = (k: 'rssMb' | 'peakMb' | 'anonMb' | 'fileMb'): number => Math.round(own.reduce((a, m) => a + m[k], 0));
  return { rssMb: sum('rssMb'), peakMb: sum('peakMb'), anonMb: sum('anonMb'), fileMb: sum('fileMb'), processes: own.length };
}

/** Samples a process's RSS while a scenario runs; reports the highest value seen. */
export class RssSampler {
  #timer: NodeJS.Timeout | undefined;
  #peak = 0;
  #pid: number;
  #intervalMs: number;
  constructor(pid: number, intervalMs = 100) {
    this.#pid = pid;
    this.#intervalMs = intervalMs;
  }
  start(): this {
    this.#peak = processMemory(this.#pid)?.rssMb ?? 0;
    this.#timer = setInterval(() => {
      const m = processMemory(this.#pid);
      if (m && m.rssMb > this.#peak) this.#peak = m.rssMb;
    }, this.#intervalMs);
    this.#timer.unref();
    return this;
  }
  stop(): number | null {
    clearInterval(this.#timer);
    const m = processMemory(this.#pid);
    if (m && m.rssMb > this.#peak) this.#peak = m.rssMb;
    return this.#peak || null;
  }
}

export interface RunningProcess {
  url: string;
  port: number;
  pid: number;
  /** The last 64 KB of its stdout and stderr. */
  output(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

function track(child: ChildProcess, port: number): RunningProcess {
  let output = '';
  const keep = (d: Buffer): void => {
    output = (output + d.toString()).slice(-65_536);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `http://${LOOPBACK}:${port}`,
    port,
    pid: child.pid as number,
    output: () => output,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

async function waitUntilReady(proc: RunningProcess, path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exited()) throw new Error(`Der Prozess hat sich beendet:\n${proc.output()}`);
    try {
      const res = await fetch(`${proc.url}${path}`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`Der Prozess antwortet nach ${timeoutMs / 1000} s nicht auf ${path}:\n${proc.output()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface KikoServerOptions {
  /** Project root (courses/, quizzes/, content/, db/migrations, bin/, node_modules/). */
  root: string;
  /** Folder whose dist/ the server runs (default: root); see snapshotBuild. */
  appDir?: string;
  dbUrl: string;
  keyDir: string;
  /** Folder for a V8 CPU profile of the server (written when it stops). */
  cpuProfDir?: string;
  /** Extra Node.js options for the server process (e.g. `--max-semi-space-size=16`). */
  nodeArgs?: string[];
  /** File the server writes its prepared-statement counts to when it stops (bench/lib/count-queries.mjs). */
  queryLog?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Whether dist/ holds a server build, and whether that build has the health endpoint the bench needs. */
export function buildState(root: string): 'ok' | 'missing' | 'stale' {
  if (!existsSync(join(root, 'dist', 'server', 'entry.mjs'))) return 'missing';
  const chunks = join(root, 'dist', 'server', 'chunks');
  const files = existsSync(chunks) ? readdirSync(chunks) : [];
  return files.some((f) => f.startsWith('health')) ? 'ok' : 'stale';
}

/**
 * Copies dist/ into `dir` (with node_modules linked next to it), so that the server runs the build as it was when
 * the run started: a rebuild of dist/ during a long run would otherwise break the server's lazily loaded chunks.
 */
export function snapshotBuild(root: string, dir: string): string {
  cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Starts the built KIKO server in production mode on a free loopback port and waits for /api/health. */
export async function startKiko(o: KikoServerOptions): Promise<RunningProcess> {
  const port = await freePort();
  const nodeArgs = [
    ...(o.nodeArgs ?? []),
    ...(o.cpuProfDir
      ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`, '--import', join(o.root, 'bench', 'lib', 'exit-on-sigterm.mjs')]
      : []),
    ...(o.queryLog ? ['--import', join(o.root, 'bench', 'lib', 'count-queries.mjs')] : []),
  ];
  const child = spawn(process.execPath, [...nodeArgs, join(o.root, 'bin', 'kiko.mjs'), 'serve'], {
    cwd: o.appDir ?? o.root,
    env: {
      ...process.env,
      KIKO_ROOT: o.root,
      NODE_ENV: 'production',
      KIKO_DEMO: 'false',
      DATABASE_URL: o.dbUrl,
      PORT: String(port),
      HOST: LOOPBACK,
      KIKO_KEY_DIR: o.keyDir,
      // production refuses to start without a public URL (links on certificates never come from a Host header)
      KIKO_PUBLIC_URL: `http://${LOOPBACK}:${port}`,
      ASTRO_TELEMETRY_DISABLED: '1',
      ...(o.queryLog ? { KIKO_BENCH_QUERY_LOG: o.queryLog } : {}),
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = track(child, port);
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  await waitUntilReady(proc, '/api/health', o.timeoutMs ?? 60_000);
  // with several worker processes the first one answers before the others listen; the start line comes after all
  while (!proc.output().includes('KIKO läuft') && !proc.exited() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return proc;
}

/** A bare node:http server answering "hello": what one HTTP request costs in Node on this machine. */
export async function startHelloServer(): Promise<RunningProcess> {
  const port = await freePort();
  const code = `require('node:http').createServer((req, res) => { res.setHeader('content-type', 'text/plain'); res.end('hello'); }).listen(${port}, '${LOOPBACK}');`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = track(child, port);
  await waitUntilReady(proc, '/', 10_000);
  return proc;
}

/** CPU time of one process in ms (utime + stime from /proc/<pid>/stat, 100 ticks per second as on Linux x86). */
function ownCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    // after "pid (comm) ": state is field 3, utime 14, stime 15 → indexes 11 and 12 here
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** CPU time of a process and its worker processes in ms. */
function processCpuMs(pid: number): number | null {
  const own = ownCpuMs(pid);
  if (own === null) return null;
  return processTree(pid)
    .slice(1)
    .reduce((a, child) => a + (ownCpuMs(child) ?? 0), own);
}

function machineCpuMs(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
    total += t;
    busy += t - c.times.idle;
  }
  return { busy, total };
}

export interface CpuShare {
  /** Percent of the machine's total CPU capacity (all cores) during the window. */
  serverPct: number;
  /** This bench process (load generator, exam-day client). */
  benchPct: number;
  /** Everything else: other people's processes, the kernel, a baseline server. */
  otherPct: number;
  idlePct: number;
}

/** Who used the CPU during a window: the server, the bench itself, or other processes (a shared machine). */
export class CpuMeter {
  #pid: number;
  #start = { machine: machineCpuMs(), server: 0 as number | null, bench: process.cpuUsage() };
  constructor(serverPid: number) {
    this.#pid = serverPid;
  }
  start(): this {
    this.#start = { machine: machineCpuMs(), server: processCpuMs(this.#pid), bench: process.cpuUsage() };
    return this;
  }
  stop(): CpuShare | null {
    const m = machineCpuMs();
    const total = m.total - this.#start.machine.total;
    const server = processCpuMs(this.#pid);
    if (total <= 0 || server === null || this.#start.server === null) return null;
    const b = process.cpuUsage(this.#start.bench);
    const pct = (x: number): number => Math.round((1000 * x) / total) / 10;
    const busy = m.busy - this.#start.machine.busy;
    const serverMs = server - this.#start.server;
    const benchMs = (b.user + b.system) / 1000;
    return {
      serverPct: pct(serverMs),
      benchPct: pct(benchMs),
      otherPct: pct(Math.max(0, busy - serverMs - benchMs)),
      idlePct: pct(total - busy),
    };
  }
}
