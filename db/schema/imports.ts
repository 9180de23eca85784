/** What a district's staff imports remember: how their files' columns and job-role values map to KIKO's. */
import { blob, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
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
