/**
 * Starts the built KIKO server (dist/) once for all browser tests: a fresh database file, demo data,
 * a free loopback port. `npm run test:e2e` builds before it runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    dbUrl: string;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

let server: ChildProcess | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  if (!existsSync('dist/server/entry.mjs')) throw new Error('dist/ fehlt: `npm run test:e2e` baut vor den Tests.');
  dir = mkdtempSync(join(tmpdir(), 'kiko-e2e-'));
  const port = await freePort();
  const dbUrl = `file:${join(dir, 'e2e.db')}`;
  server = spawn(process.execPath, ['bin/kiko.mjs', 'serve'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      KIKO_DEMO: 'true',
      DATABASE_URL: dbUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      KIKO_KEY_DIR: join(dir, 'keys'),
      KIKO_EXPORT_DIR: join(dir, 'exports'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  server.stdout?.on('data', (d) => {
    output += d;
  });
  server.stderr?.on('data', (d) => {
    output += d;
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`KIKO-Server beendet:\n${output}`);
    try {
      const res = await fetch(`${baseUrl}/anmelden`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`KIKO-Server startet nicht:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  project.provide('baseUrl', baseUrl);
  project.provide('dbUrl', dbUrl);
}

export async function teardown(): Promise<void> {
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
}
