/** Brings a database up to date: schema migrations, then the learning record of every district that has none yet. */
import type { Db } from '../../../../db/client.ts';
import { runMigrations } from '../../../../db/migrate.ts';
import { startRecords } from './start-record.ts';

export async function prepareDatabase(db: Db, root?: string): Promise<{ recordsStarted: number }> {
  await runMigrations(db, root);
  const started = await startRecords(db);
  return { recordsStarted: started.length };
}
