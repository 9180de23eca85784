/**
 * Child processes of a bench run: the production KIKO server (`node bin/kiko.mjs serve`), a bare node:http
 * baseline server, and memory sampling of a process through /proc (Linux; elsewhere memory reads as null).
 * Only loopback addresses; every process started here is stopped by its own pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
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

/** Resident set size now and its peak (VmHWM) of a process in MB, from /proc/<pid>/status. */
export function processMemory(pid: number): { rssMb: number; peakMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
  } catch {
    return null;
  }
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
  root: string;
  dbUrl: string;
  keyDir: string;
  /** Folder for a V8 CPU profile of the server (written when it stops). */
  cpuProfDir?: string;
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

/** Starts the built KIKO server in production mode on a free loopback port and waits for /api/health. */
export async function startKiko(o: KikoServerOptions): Promise<RunningProcess> {
  const port = await freePort();
  const nodeArgs = [
    ...(o.cpuProfDir
      ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`, '--import', join(o.root, 'bench', 'lib', 'exit-on-sigterm.mjs')]
      : []),
    ...(o.queryLog ? ['--import', join(o.root, 'bench', 'lib', 'count-queries.mjs')] : []),
  ];
  const child = spawn(process.execPath, [...nodeArgs, 'bin/kiko.mjs', 'serve'], {
    cwd: o.root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      KIKO_DEMO: 'false',
      DATABASE_URL: o.dbUrl,
      PORT: String(port),
      HOST: LOOPBACK,
      KIKO_KEY_DIR: o.keyDir,
      ASTRO_TELEMETRY_DISABLED: '1',
      ...(o.queryLog ? { KIKO_BENCH_QUERY_LOG: o.queryLog } : {}),
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = track(child, port);
  await waitUntilReady(proc, '/api/health', o.timeoutMs ?? 60_000);
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
