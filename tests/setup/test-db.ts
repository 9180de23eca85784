/** A fresh, migrated libSQL file database per test file (never a mock). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DbHandle, openDb } from '../../db/client.ts';
import { prepareDatabase } from '../../src/lib/server/evidence/prepare-database.ts';

export interface TestDb extends DbHandle {
  dir: string;
  url: string;
  cleanup(): void;
}

export async function createTestDb(): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), 'kiko-test-'));
  const url = `file:${join(dir, 'test.db')}`;
  const handle = await openDb({ url });
  await prepareDatabase(handle.db);
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
