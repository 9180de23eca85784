/**
 * Evidence exports HR started in the browser, made by a background job (src/lib/server/hr/export-jobs/): what was
 * asked for, how far the job got, and the finished file's name, size and fingerprint. The row is HR's list of earlier
 * exports; the file itself lives in KIKO_EXPORT_DIR. Decision record: docs/decisions/018-export-jobs.md.
 */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { tenantTable } from './tenants.ts';
import { userTable } from './users.ts';

export const exportJobStates = ['queued', 'running', 'done', 'failed'] as const;
export type ExportJobState = (typeof exportJobStates)[number];

/** The selection of an export job, as HR entered it (instants as ISO strings; null = no filter). */
export interface ExportJobSelection {
  format: 'csv' | 'csv-excel' | 'xlsx' | 'json' | 'pdf';
  asOf: string;
  recordedBy: string;
  orgUnitId: string | null;
  jobRole: string | null;
  status: 'covered' | 'overdue' | 'not-due' | 'no-path' | null;
  /** Activity period: first and last instant (Berlin days), or null. */
  periodFrom: string | null;
  periodTo: string | null;
}

export const evidenceExportJobTable = sqliteTable(
  'evidence_export_jobs',
  {
    /** Random UUID; the status page's and the file's address. */
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    /** The HR person who started it; the job runs with their grant as it is when it runs. Same tenant (trigger-checked). */
    requestedBy: text('requested_by')
      .notNull()
      .references(() => userTable.id),
    /** Org units the requester's grant covered when it was started (JSON array), null = the whole district. */
    scopeUnits: text('scope_units', { mode: 'json' }).$type<string[] | null>(),
    selection: text('selection', { mode: 'json' }).$type<ExportJobSelection>().notNull(),
    state: text('state', { enum: exportJobStates }).notNull(),
    /** Records written so far and in all (progress). */
    done: integer('done').notNull().default(0),
    total: integer('total'),
    /** People in the export (when known). */
    people: integer('people'),
    /** File name inside KIKO_EXPORT_DIR (when done) and the name offered for download. */
    fileName: text('file_name'),
    downloadName: text('download_name'),
    size: integer('size'),
    /** "sha256:<hex>" of the canonical JSON of the selection (as printed in the file). */
    fingerprint: text('fingerprint'),
    /** SHA-256 of the file's bytes. */
    fileSha256: text('file_sha256'),
    /** A German message when the job failed. */
    error: text('error'),
    /** Process working on it and until when its claim holds without renewal. */
    claimedBy: text('claimed_by'),
    claimedUntil: integer('claimed_until', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    // HR's list of earlier exports, newest first
    index('evidence_export_jobs_tenant_idx').on(t.tenantId, t.createdAt),
    // the runner: next queued (or abandoned running) job, oldest first
    index('evidence_export_jobs_state_idx').on(t.state, t.createdAt),
  ],
);
