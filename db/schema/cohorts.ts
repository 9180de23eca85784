/**
 * Cohorts of the multiplier programme: groups of colleagues a KI-Multiplikator:in looks after. A multiplier's
 * authorization scope is the set of cohorts they are assigned to (src/lib/server/authz/authorize.ts).
 */
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { tenantTable } from './tenants.ts';

export const cohortTable = sqliteTable(
  'cohorts',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    name: text('name').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /** Set when the admin ends the cohort; ended cohorts stay readable as evidence. */
    endedAt: integer('ended_at', { mode: 'timestamp_ms' }),
  },
  // cohorts of a tenant (admin list)
  (t) => [index('cohorts_tenant_idx').on(t.tenantId)],
);

/** Which multipliers lead which cohort (same tenant, trigger-checked). */
export const cohortMultiplierTable = sqliteTable(
  'cohort_multipliers',
  {
    cohortId: text('cohort_id')
      .notNull()
      .references(() => cohortTable.id),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    userId: text('user_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.cohortId, t.userId] }),
    // the multiplier's scope: cohorts of one person
    index('cohort_multipliers_user_idx').on(t.tenantId, t.userId),
  ],
);
