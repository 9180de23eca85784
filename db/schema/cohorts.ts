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

/** What a cohort rule picks: an org unit (optionally with its sub-units) or one hand-picked person. */
export const cohortRuleKinds = ['org-unit', 'person'] as const;
export type CohortRuleKind = (typeof cohortRuleKinds)[number];

/**
 * Membership rules of a cohort. Members are computed, never stored: everyone whose org unit (as of the time asked)
 * is the rule's unit (or below it, with `includeSubunits`), plus the hand-picked people. So a cohort follows people
 * when they move. A rule is valid from `validFrom` until `validTo` (set when the cohort ends or the rule is removed),
 * so "members as of T" reads the rules valid at T. Same tenant as the cohort (checked by the verbs that write).
 */
export const cohortRuleTable = sqliteTable(
  'cohort_rules',
  {
    id: text('id').primaryKey(),
    cohortId: text('cohort_id')
      .notNull()
      .references(() => cohortTable.id),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    kind: text('kind', { enum: cohortRuleKinds }).notNull(),
    /** The org unit of an "org-unit" rule. */
    orgUnitId: text('org_unit_id'),
    /** Whether an "org-unit" rule also takes in the unit's sub-units. */
    includeSubunits: integer('include_subunits', { mode: 'boolean' }).notNull().default(false),
    /** The person of a "person" rule. */
    userId: text('user_id'),
    validFrom: integer('valid_from', { mode: 'timestamp_ms' }).notNull(),
    validTo: integer('valid_to', { mode: 'timestamp_ms' }),
  },
  (t) => [
    // the rules of one cohort (members of a cohort)
    index('cohort_rules_cohort_idx').on(t.cohortId),
    // the cohorts of one person or org unit (a learner's multipliers)
    index('cohort_rules_tenant_idx').on(t.tenantId, t.kind),
  ],
);
