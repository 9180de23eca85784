/**
 * The pid file that `kiko serve` keeps next to an embedded database (`<database>.serve.pid`) while it runs, so that
 * `kiko db restore` can refuse to replace a database a server has open. A file whose process is gone (after
 * `kill -9` or a power cut) is stale and blocks nothing; the file is removed on every normal exit.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/** What the pid file holds. */
export interface ServerPid {
  pid: number;
  startedAt: string;
}

/** The local file path of a `file:` database URL; null for a remote libSQL server or an in-memory database. */
export function databaseFilePath(url: string): string | null {
  if (!url.startsWith('file:')) return null;
  const path = url
    .slice('file:'.length)
    .replace(/^\/\/(localhost)?/, '')
    .replace(/\?.*$/, '');
  return path && !path.startsWith(':memory:') ? path : null;
}

/** Where the pid file of a server on `dbPath` lives. */
export function serverPidFile(dbPath: string): string {
  return `${dbPath}.serve.pid`;
}

/** Whether a process with this pid exists and is a Node process (a reused pid of another program does not count). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /node|kiko/.test(cmdline);
  } catch {
    return true; // no /proc (not Linux): the pid exists, assume it is the server
  }
}

/** The server running on `dbPath` according to its pid file; null when there is none or its process is gone. */
export function runningServer(dbPath: string): ServerPid | null {
  let value: ServerPid;
  try {
    value = JSON.parse(readFileSync(serverPidFile(dbPath), 'utf8')) as ServerPid;
  } catch {
    return null;
  }
  if (!Number.isInteger(value?.pid) || value.pid <= 0) return null;
  return value.pid !== process.pid && isAlive(value.pid) ? value : null;
}

/**
 * Writes this process's pid file for `dbPath` and removes it when the process exits (SIGTERM and SIGINT end the
 * process through `process.exit`, so the exit handler runs). Removes only its own file, never another server's.
 */
export function holdServerPidFile(dbPath: string): void {
  const file = serverPidFile(dbPath);
  const own: ServerPid = { pid: process.pid, startedAt: new Date().toISOString() };
  writeFileSync(file, `${JSON.stringify(own)}\n`);
  process.once('exit', () => {
    try {
      const current = JSON.parse(readFileSync(file, 'utf8')) as ServerPid;
      if (current.pid === process.pid) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  });
}
