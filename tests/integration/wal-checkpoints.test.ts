/**
 * A running server's WAL checkpoints (db/wal-checkpoints.ts): its connections leave the copy back into the database
 * file to the checkpointer thread (they would check point themselves only past 10,000 pages), and the thread does it
 * without anyone asking, so the file grows while the log is read back; other processes keep SQLite's default.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { openDb } from '../../db/client.ts';
import { FALLBACK_AUTOCHECKPOINT_PAGES, startWalCheckpointer, WAL_CHECKPOINTS_ENV } from '../../db/wal-checkpoints.ts';

const dirs: string[] = [];
const fresh = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'kiko-wal-'));
  dirs.push(dir);
  return join(dir, 'kiko.db');
};
afterEach(() => {
  delete process.env[WAL_CHECKPOINTS_ENV];
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const autocheckpoint = async (url: string): Promise<number> => {
  const { client, close } = await openDb({ url });
  const tx = await client.transaction('read');
  const pages = Number((await tx.execute('PRAGMA wal_autocheckpoint')).rows[0]?.[0]);
  tx.close();
  close();
  return pages;
};

describe('WAL checkpoints of a running server', () => {
  test('a server connection leaves checkpoints to the thread; a CLI connection keeps the default of 1,000 pages', async () => {
    expect(await autocheckpoint(`file:${fresh()}`)).toBe(1000);
    process.env[WAL_CHECKPOINTS_ENV] = 'background';
    expect(await autocheckpoint(`file:${fresh()}`)).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
  });

  test('the checkpointer copies the log back into the file by itself, and stops when asked', async () => {
    process.env[WAL_CHECKPOINTS_ENV] = 'background';
    const path = fresh();
    const { client, close } = await openDb({ url: `file:${path}` });
    await client.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const body = 'x'.repeat(1000);
    for (let i = 0; i < 10; i++)
      await client.batch(
        Array.from({ length: 300 }, (_, j) => ({ sql: 'INSERT INTO notes (id, body) VALUES (?, ?)', args: [i * 300 + j, body] })),
        'write',
      );
    // about 800 pages written, all still in the log: the file itself has only its first pages
    const before = statSync(path).size;
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(3_000_000);
    expect(before).toBeLessThan(100_000);
    const lines: string[] = [];
    const checkpointer = startWalCheckpointer(`file:${path}`, (l) => lines.push(l), 50);
    const deadline = Date.now() + 10_000;
    while (statSync(path).size < 3_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(statSync(path).size).toBeGreaterThan(3_000_000);
    await checkpointer.stop();
    expect(lines).toEqual([]);
    expect(Number((await client.execute('SELECT count(*) FROM notes')).rows[0]?.[0])).toBe(3000);
    close();
  });
});
