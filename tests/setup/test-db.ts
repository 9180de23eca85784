/** A fresh, migrated libSQL file database per test file (never a mock). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DbHandle, openDb } from '../../db/client.ts';
import { runMigrations } from '../../db/migrate.ts';

export interface TestDb extends DbHandle {
  dir: string;
  url: string;
  cleanup(): void;
}

export async function createTestDb(): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), 'kiko-test-'));
  const url = `file:${join(dir, 'test.db')}`;
  const handle = await openDb({ url });
  await runMigrations(handle.db);
  return {
    ...handle,
    dir,
    url,
    cleanup: () => {
      handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
