/** What a district's staff imports remember: how their files' columns and job-role values map to KIKO's. */
import { blob, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { tenantTable } from './tenants.ts';

export const importMappingTable = sqliteTable(
  'import_mappings',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    /** "column": a header of the file → a KIKO field; "job-role": a value of the job-role column → a KIKO job role. */
    kind: text('kind', { enum: ['column', 'job-role'] }).notNull(),
    /** The header or value as the file has it, lowercased and trimmed. */
    source: text('source').notNull(),
    /** KIKO field (email, firstName, …, or "ignore") or job role id. */
    target: text('target').notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.kind, t.source] })],
);

/**
 * A staff file uploaded on the import page, kept between the preview (mapping, dry run) and applying it, so the
 * browser sends it once. Deleted when it is applied or discarded; older than a day, it is removed at the next upload.
 */
export const importUploadTable = sqliteTable('import_uploads', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id')
    .notNull()
    .references(() => tenantTable.id),
  /** Person who uploaded it (only they see it). */
  uploadedBy: text('uploaded_by').notNull(),
  fileName: text('file_name').notNull(),
  /** The file as uploaded (at most 2 MB: the request limit). */
  content: blob('content', { mode: 'buffer' }).notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});

/**
 * A staff import being applied (decision 016, addendum): the plan is stored here and in `import_run_batches` in one
 * short transaction, then applied batch by batch, each batch in its own short write transaction. A run still
 * "applying" whose heartbeat is old (its process died) is rolled forward by the next apply of the district or the
 * server's `staff-imports` job. When the run is done its batches are deleted; the run keeps only counts.
 */
export const importRunTable = sqliteTable(
  'import_runs',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    /** Actor id of the admin (or system/operator) who applied the file; facts and audit entries name them. */
    actorId: text('actor_id').notNull(),
    /** SHA-256 of the file (hex), as in the `users.imported` audit entry. */
    fileHash: text('file_hash').notNull(),
    /** "applying" until every batch is written and the `users.imported` entry appended, then "done". */
    state: text('state', { enum: ['applying', 'done'] }).notNull(),
    /** People to write (new + changed + deactivated) and how many batches have written theirs. */
    total: integer('total').notNull(),
    done: integer('done').notNull().default(0),
    created: integer('created').notNull().default(0),
    changed: integer('changed').notNull().default(0),
    deactivated: integer('deactivated').notNull().default(0),
    unchanged: integer('unchanged').notNull(),
    /** Rows left out because the person changed in KIKO after the plan: JSON [{line, reason}] (no personal data). */
    skipped: text('skipped').notNull().default('[]'),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    /** Last batch written (or the start); a run "applying" with an old heartbeat is rolled forward by another caller. */
    heartbeatAt: integer('heartbeat_at', { mode: 'timestamp_ms' }).notNull(),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
  },
  // the district's runs, newest first (import page; unfinished ones for the roll-forward)
  (t) => [index('import_runs_tenant_started_idx').on(t.tenantId, t.startedAt)],
);

/** One batch of an import run's plan: up to 1,000 people of one kind, as planned, and whether it is written. */
export const importRunBatchTable = sqliteTable(
  'import_run_batches',
  {
    runId: text('run_id')
      .notNull()
      .references(() => importRunTable.id),
    seq: integer('seq').notNull(),
    kind: text('kind', { enum: ['created', 'changed', 'deactivate'] }).notNull(),
    /** The planned people of the batch as JSON, each with the state of the person the plan saw (re-checked on write). */
    rows: text('rows').notNull(),
    doneAt: integer('done_at', { mode: 'timestamp_ms' }),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);
