/**
 * Disaster recovery of the embedded database from a backup (`kiko db backup`), in two steps so the caller can say
 * what will be lost before anything is replaced:
 *  1. `prepareRestore` copies the backup to a staging file next to the database and checks the copy (SQLite's
 *     integrity check, KIKO's tables, the migrations applied: older backups are migrated, newer ones refused) and
 *     counts what the current database holds after the backup's newest entry. Nothing is replaced yet; on any
 *     problem the staging file is removed.
 *  2. `completeRestore` keeps the current database as `<database>.vor-wiederherstellung-<time>` (never deleted),
 *     moves the checked copy into its place and appends a `database.restored` event to every audit chain, so the
 *     chain shows the gap openly and still verifies.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { createClient } from '@libsql/client';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { openDb } from '../../../../db/client.ts';
import { migrationsFolder, runMigrations } from '../../../../db/migrate.ts';
import { tenantTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { latest, newestEntries } from './backup-database.ts';

/** The backup cannot be restored (damaged, not a KIKO database, from a newer KIKO); the reason is German. */
export class BackupInvalidError extends Error {}

/** What the current database holds after the backup's newest entry, per audit chain ("" = platform). */
export interface RestoreLoss {
  /** Whether a current database exists at all. */
  exists: boolean;
  /** Whether it could be read (a damaged database cannot be counted). */
  readable: boolean;
  learningFacts: number;
  auditEntries: number;
  /** Certificates issued after the backup (their public check will say "unknown" after the restore). */
  certificatesIssued: number;
  byChain: Map<string, { learningFacts: number; auditEntries: number }>;
}

export interface PreparedRestore {
  dbPath: string;
  backupFile: string;
  staging: string;
  /** The backup's newest entry (learning record or audit log): the instant it reflects. Null for an empty database. */
  backupOf: Date | null;
  /** Migrations applied to the copy because the backup came from an older KIKO. */
  migrated: number;
  loss: RestoreLoss;
}

export interface CompletedRestore {
  keptAs: string | null;
  auditEvents: number;
}

const sidecars = (file: string): string[] => [`${file}-wal`, `${file}-shm`, `${file}-journal`];

function removeWithSidecars(file: string): void {
  for (const f of [file, ...sidecars(file)]) rmSync(f, { force: true });
}

/** Moves a database file and its WAL/shared-memory files (the WAL holds committed data after a crash). */
function moveWithSidecars(from: string, to: string): void {
  renameSync(from, to);
  for (const [a, b] of [
    [`${from}-wal`, `${to}-wal`],
    [`${from}-shm`, `${to}-shm`],
  ] as const)
    if (existsSync(a)) renameSync(a, b);
}

/** Checks the staging copy; migrates it when the backup is older. Returns the number of migrations applied. */
async function checkCopy(staging: string, root: string | undefined): Promise<number> {
  const client = createClient({ url: `file:${staging}` });
  let applied: string[];
  try {
    let integrity: string[];
    try {
      integrity = (await client.execute('PRAGMA integrity_check')).rows.map((r) => String(r[0]));
    } catch (e) {
      throw new BackupInvalidError(`Die Datei ist keine lesbare SQLite-Datenbank (${(e as Error).message}).`);
    }
    if (integrity.length !== 1 || integrity[0] !== 'ok')
      throw new BackupInvalidError(`Die Sicherung ist beschädigt (Integritätsprüfung: ${integrity.slice(0, 3).join('; ')}).`);
    const tables = new Set((await client.execute("SELECT name FROM sqlite_master WHERE type = 'table'")).rows.map((r) => String(r[0])));
    for (const t of ['__drizzle_migrations', 'tenants', 'learning_events', 'audit_events'])
      if (!tables.has(t)) throw new BackupInvalidError(`Die Datei ist keine KIKO-Datenbank (Tabelle „${t}“ fehlt).`);
    applied = (await client.execute('SELECT hash FROM __drizzle_migrations ORDER BY created_at')).rows.map((r) => String(r[0]));
  } finally {
    client.close();
  }
  const known = readMigrationFiles({ migrationsFolder: migrationsFolder(root) }).map((m) => m.hash);
  const prefix = applied.every((h, i) => known[i] === h);
  if (!prefix || applied.length > known.length)
    throw new BackupInvalidError(
      `Das Schema der Sicherung (${applied.length} Migrationen) passt nicht zu dieser KIKO-Version (${known.length} Migrationen); ` +
        'eine Sicherung einer neueren oder fremden Version lässt sich hier nicht einspielen.',
    );
  if (applied.length === known.length) return 0;
  const { db, close } = await openDb({ url: `file:${staging}` });
  try {
    await runMigrations(db, root);
  } finally {
    close();
  }
  return known.length - applied.length;
}

/** Counts the current database's facts and audit entries after `since`, per chain. */
async function countLoss(dbPath: string, since: Date | null): Promise<RestoreLoss> {
  const loss: RestoreLoss = {
    exists: existsSync(dbPath),
    readable: false,
    learningFacts: 0,
    auditEntries: 0,
    certificatesIssued: 0,
    byChain: new Map(),
  };
  if (!loss.exists) return loss;
  const client = createClient({ url: `file:${dbPath}` });
  try {
    const t = since?.getTime() ?? -1;
    const facts = await client.execute({
      sql: 'SELECT tenant_id, count(*) FROM learning_events WHERE recorded_at > ? GROUP BY tenant_id',
      args: [t],
    });
    const audit = await client.execute({ sql: 'SELECT chain, count(*) FROM audit_events WHERE at > ? GROUP BY chain', args: [t] });
    const entry = (chain: string) => {
      const e = loss.byChain.get(chain) ?? { learningFacts: 0, auditEntries: 0 };
      loss.byChain.set(chain, e);
      return e;
    };
    for (const r of facts.rows) entry(String(r[0] ?? '')).learningFacts += Number(r[1]);
    for (const r of audit.rows) entry(String(r[0] ?? '')).auditEntries += Number(r[1]);
    const issued = await client.execute({
      sql: "SELECT count(*) FROM learning_events WHERE recorded_at > ? AND type = 'certificate.issued'",
      args: [t],
    });
    loss.certificatesIssued = Number(issued.rows[0]?.[0] ?? 0);
    for (const e of loss.byChain.values()) {
      loss.learningFacts += e.learningFacts;
      loss.auditEntries += e.auditEntries;
    }
    loss.readable = true;
  } catch {
    loss.readable = false;
  } finally {
    client.close();
  }
  return loss;
}

/** Step 1: copies and checks the backup; throws BackupInvalidError (nothing replaced, nothing left behind). */
export async function prepareRestore(dbPath: string, backupFile: string, opts: { root?: string } = {}): Promise<PreparedRestore> {
  const db = resolve(dbPath);
  const backup = resolve(backupFile);
  if (backup === db) throw new BackupInvalidError('Die Sicherung kann nicht die Datenbank selbst sein.');
  const staging = `${db}.wiederherstellung-${randomBytes(4).toString('hex')}`;
  try {
    copyFileSync(backup, staging);
    // a backup that was opened in WAL mode keeps part of its content in its -wal file
    if (existsSync(`${backup}-wal`)) copyFileSync(`${backup}-wal`, `${staging}-wal`);
    let migrated: number;
    let newest: Awaited<ReturnType<typeof newestEntries>>;
    try {
      migrated = await checkCopy(staging, opts.root);
      newest = await newestEntries(staging);
    } catch (e) {
      if (e instanceof BackupInvalidError) throw e;
      const message = (e as Error).message;
      if (/not a database/i.test(message)) throw new BackupInvalidError(`Die Datei ist keine lesbare SQLite-Datenbank (${message}).`);
      // SQLite found damage while reading (e.g. "database disk image is malformed")
      throw new BackupInvalidError(`Die Sicherung ist beschädigt (${message}).`);
    }
    const backupOf = latest(newest.newestRecord, newest.newestAudit);
    return { dbPath: db, backupFile: backup, staging, backupOf, migrated, loss: await countLoss(db, backupOf) };
  } catch (e) {
    removeWithSidecars(staging);
    throw e;
  }
}

/** Throws away a prepared restore (the current database stays as it is). */
export function discardRestore(p: PreparedRestore): void {
  removeWithSidecars(p.staging);
}

/** `2026-12-03T13-05-12Z`: a timestamp usable in file names everywhere. */
function fileStamp(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
}

/**
 * Step 2: keeps the current database beside it, moves the checked copy into place and appends the restore event
 * to the platform chain and every district's chain.
 */
export async function completeRestore(p: PreparedRestore, opts: { actorId: string; clock?: () => Date }): Promise<CompletedRestore> {
  const now = opts.clock?.() ?? new Date();
  let keptAs: string | null = null;
  if (existsSync(p.dbPath)) {
    // fold the WAL into the file, so the kept database is one self-contained file (best effort: it may be damaged)
    const client = createClient({ url: `file:${p.dbPath}` });
    try {
      await client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
    } catch {
      // a damaged database is kept as it is, WAL included
    } finally {
      client.close();
    }
    keptAs = `${p.dbPath}.vor-wiederherstellung-${fileStamp(now)}`;
    moveWithSidecars(p.dbPath, keptAs);
  }
  for (const f of sidecars(p.dbPath)) rmSync(f, { force: true });
  moveWithSidecars(p.staging, p.dbPath);

  const { db, close } = await openDb({ url: `file:${p.dbPath}` });
  let auditEvents = 0;
  try {
    const tenants = await db.select({ id: tenantTable.id }).from(tenantTable);
    for (const chain of [null, ...tenants.map((t) => t.id)]) {
      const lost = p.loss.byChain.get(chain ?? '') ?? { learningFacts: 0, auditEntries: 0 };
      await db.transaction(async (tx) => {
        await appendAuditEvent(tx, {
          tenantId: chain,
          actorId: opts.actorId,
          type: 'database.restored',
          at: now,
          data: {
            backupOf: p.backupOf?.toISOString() ?? null,
            backupFile: basename(p.backupFile),
            keptAs: keptAs ? basename(keptAs) : null,
            // null: the replaced database could not be read, so what it held after the backup is unknown
            lostLearningFacts: p.loss.readable ? lost.learningFacts : null,
            lostAuditEntries: p.loss.readable ? lost.auditEntries : null,
            migrationsApplied: p.migrated,
          },
        });
      });
      auditEvents++;
    }
  } finally {
    close();
  }
  return { keptAs, auditEvents };
}
