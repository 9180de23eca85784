/**
 * The record of backups: `kiko db backup` appends one entry to the platform's audit chain after a complete copy
 * (file name, size, newest record in the copy). The operator console shows the latest one as "last backup". A copy
 * holds the whole installation, so the entry is the installation's, not a district's.
 */
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { auditEventTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import type { BackupSummary } from './backup-database.ts';

export const BACKUP_EVENT = 'database.backed-up';

export interface LastBackup {
  at: Date;
  bytes: number;
  file: string;
}

/** Appends the backup's entry to the platform chain (after the copy is complete and renamed). */
export async function recordBackup(db: Db, summary: BackupSummary, opts: { actorId: string; now?: Date }): Promise<void> {
  const at = opts.now ?? new Date();
  await db.transaction((tx) =>
    appendAuditEvent(tx, {
      tenantId: null,
      actorId: opts.actorId,
      type: BACKUP_EVENT,
      data: { file: summary.file, bytes: summary.bytes, newestRecord: summary.newestRecord?.toISOString() ?? null },
      at,
    }),
  );
}

/** The latest recorded backup of the installation, or null when none was recorded. */
export async function getLastBackup(db: Db): Promise<LastBackup | null> {
  const [row] = await db
    .select({ at: auditEventTable.at, data: auditEventTable.data })
    .from(auditEventTable)
    .where(and(isNull(auditEventTable.tenantId), eq(auditEventTable.type, BACKUP_EVENT)))
    .orderBy(desc(auditEventTable.seq))
    .limit(1);
  if (!row) return null;
  const data = row.data as { file?: unknown; bytes?: unknown };
  return { at: row.at, bytes: Number(data.bytes ?? 0), file: String(data.file ?? '') };
}
