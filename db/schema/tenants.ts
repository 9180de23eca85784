/** Tenants (districts) and their org unit tree. */
import { sql } from 'drizzle-orm';
import { type AnySQLiteColumn, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const tenantTable = sqliteTable('tenants', {
  id: text('id').primaryKey(),
  /** URL-safe short name, e.g. "musterstadt". */
  slug: text('slug').notNull().unique(),
  /** Display name, e.g. "Landkreis Musterstadt". */
  name: text('name').notNull(),
  /** JSON settings (certificate privacy, brand colour, signatory …), validated by tenantSettingsSchema. */
  settings: text('settings', { mode: 'json' }).notNull().default(sql`'{}'`),
  status: text('status', { enum: ['active', 'suspended'] })
    .notNull()
    .default('active'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  /** Start of the district's learning record: evidence "as of" an earlier date does not exist. */
  recordStartedAt: integer('record_started_at', { mode: 'timestamp_ms' }),
});

export const orgUnitTable = sqliteTable(
  'org_units',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    parentId: text('parent_id').references((): AnySQLiteColumn => orgUnitTable.id),
    /** Short code such as "FB 3" or "Amt 36". */
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** When the unit was closed (it keeps its id for the learning record, but takes no people any more). */
    closedAt: integer('closed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    // listing the org tree of one tenant (admin pages, dashboards)
    index('org_units_tenant_parent_idx').on(t.tenantId, t.parentId),
    // seeding and imports look up units by code
    uniqueIndex('org_units_tenant_code_idx').on(t.tenantId, t.code),
  ],
);
