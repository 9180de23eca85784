/**
 * A consistent copy of the embedded database while KIKO runs: `VACUUM INTO` reads one snapshot of the database
 * (a read transaction, so the server's writes go on meanwhile; https://sqlite.org/lang_vacuum.html#vacuuminto) into a
 * temporary file next to the target, which is renamed to the target only when it is complete. A half-written backup
 * therefore never carries the target's name.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createClient } from '@libsql/client';
import { retryBusy } from '../../../../db/serialize-writes.ts';

/** The database file does not exist, or the target exists and may not be overwritten. */
export class BackupRefusedError extends Error {}

export interface BackupSummary {
  file: string;
  bytes: number;
  /** When the newest fact of the learning record in the copy was recorded (null: the record is empty). */
  newestRecord: Date | null;
  /** When the newest audit entry in the copy was written. */
  newestAudit: Date | null;
}

/** Newest instants of the learning record and the audit log in a database file (read-only look). */
export async function newestEntries(file: string): Promise<{ newestRecord: Date | null; newestAudit: Date | null }> {
  const client = createClient({ url: `file:${file}` });
  try {
    const r = await client.execute(
      'SELECT (SELECT max(recorded_at) FROM learning_events) AS record, (SELECT max(at) FROM audit_events) AS audit',
    );
    const row = r.rows[0];
    const at = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(Number(v)));
    return { newestRecord: at(row?.record), newestAudit: at(row?.audit) };
  } finally {
    client.close();
  }
}

/** The later of two instants (null when both are null). */
export function latest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

/** Copies the database at `dbPath` to `target`; refuses an existing target unless `force`. */
export async function backupDatabase(dbPath: string, target: string, opts: { force?: boolean } = {}): Promise<BackupSummary> {
  const source = resolve(dbPath);
  const file = resolve(target);
  if (!existsSync(source)) throw new BackupRefusedError(`Die Datenbank „${dbPath}“ gibt es nicht.`);
  if (file === source) throw new BackupRefusedError('Die Sicherung kann nicht die Datenbank selbst sein.');
  if (existsSync(file) && !opts.force)
    throw new BackupRefusedError(`Die Datei „${target}“ gibt es schon. Zum Überschreiben --force angeben.`);
  if (!existsSync(dirname(file))) throw new BackupRefusedError(`Den Ordner „${dirname(target)}“ gibt es nicht.`);
  const temp = `${file}.unvollstaendig-${randomBytes(4).toString('hex')}`;
  const client = createClient({ url: `file:${source}`, timeout: 5 });
  try {
    await retryBusy(() => client.execute({ sql: 'VACUUM INTO ?', args: [temp] }));
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  } finally {
    client.close();
  }
  // a database once opened under the target's name may have left its WAL: it must not be read into the new copy
  if (opts.force) for (const f of [`${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  renameSync(temp, file);
  return { file, bytes: statSync(file).size, ...(await newestEntries(file)) };
}
