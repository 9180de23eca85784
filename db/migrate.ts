/** Applies the committed drizzle-kit migrations (db/migrations) to the database. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/libsql/migrator';
import type { Db } from './client.ts';

export function migrationsFolder(root: string = process.env.KIKO_ROOT ?? process.cwd()): string {
  const folder = join(root, 'db', 'migrations');
  if (!existsSync(folder)) throw new Error(`Migrationsordner nicht gefunden: ${folder} (KIKO_ROOT auf das Projektverzeichnis setzen)`);
  return folder;
}

export async function runMigrations(db: Db, root?: string): Promise<void> {
  await migrate(db, { migrationsFolder: migrationsFolder(root) });
  // planner statistics (sampled, a few ms even on millions of rows), so per-person queries keep their indexes
  await db.run(sql.raw('PRAGMA analysis_limit = 1000'));
  await db.run(sql.raw('PRAGMA optimize = 0x10002'));
}
