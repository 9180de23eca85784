/** Users, their roles and login sessions. */
import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { orgUnitTable, tenantTable } from './tenants.ts';

/**
 * Letters folded for sorting names as German lists do (DIN 5007, variant 1: ä sorts as a, ö as o, ü as u, ß as ss),
 * with the accented letters of names common in German administrations folded the same way. SQLite's lower() folds
 * ASCII only, so the rest is spelled out.
 */
const NAME_FOLDS: [string, string][] = [
  ['ÄÁÀÂÃÅĄäáàâãåą', 'a'],
  ['ÇĆČçćč', 'c'],
  ['ĐĎđď', 'd'],
  ['ÉÈÊËĚĘéèêëěę', 'e'],
  ['Ğğ', 'g'],
  ['ÍÌÎÏİíìîïı', 'i'],
  ['Łł', 'l'],
  ['ÑŃŇñńň', 'n'],
  ['ÖÓÒÔÕØöóòôõø', 'o'],
  ['Řř', 'r'],
  ['ŞȘŠŚşșšś', 's'],
  ['ȚŤțť', 't'],
  ['ÜÚÙÛŮüúùûů', 'u'],
  ['ÝŸýÿ', 'y'],
  ['ŽŹŻžźż', 'z'],
  ['ßẞ', 'ss'],
  ['Ææ', 'ae'],
  ['Œœ', 'oe'],
];
const FOLD = new Map(NAME_FOLDS.flatMap(([from, to]) => [...from].map((c) => [c, to] as const)));
/**
 * The same fold in JavaScript, for a search term compared with `name_sort`: like SQLite's lower(), only A–Z are
 * lowercased here, so a letter outside the table folds the same way on both sides.
 */
export const foldName = (s: string): string => [...s.replace(/[A-Z]/g, (c) => c.toLowerCase())].map((c) => FOLD.get(c) ?? c).join('');
/**
 * The fold as SQL, in four steps of 27 nested replace() calls each: SQLite's parser refuses about 40 nested calls in
 * one expression, so each step is a virtual column of its own that the next one reads (nothing is stored).
 */
const FOLD_PAIRS = [...FOLD];
// four steps of 27: a letter beyond them would fold in JavaScript but not in the database
if (FOLD_PAIRS.length > 4 * 27) throw new Error(`NAME_FOLDS has ${FOLD_PAIRS.length} letters; the SQL fold takes 108`);
const foldStep = (step: number, input: string): string =>
  FOLD_PAIRS.slice(step * 27, step * 27 + 27).reduce((expr, [from, to]) => `replace(${expr}, '${from}', '${to}')`, input);

export const userTable = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    /** Null only for platform operators, who belong to no district. */
    tenantId: text('tenant_id').references(() => tenantTable.id),
    orgUnitId: text('org_unit_id').references(() => orgUnitTable.id),
    /** Login name; stored lowercased; unique on the installation. */
    email: text('email').notNull().unique(),
    name: text('name').notNull(),
    /** Steps of the fold below (virtual, computed by the database, never written). */
    nameFold1: text('name_fold_1').generatedAlwaysAs(sql.raw(foldStep(0, 'lower(name)')), { mode: 'virtual' }),
    nameFold2: text('name_fold_2').generatedAlwaysAs(sql.raw(foldStep(1, 'name_fold_1')), { mode: 'virtual' }),
    nameFold3: text('name_fold_3').generatedAlwaysAs(sql.raw(foldStep(2, 'name_fold_2')), { mode: 'virtual' }),
    /** The name as German lists sort it (computed by the database: lowercase, umlauts and accents folded). */
    nameSort: text('name_sort').generatedAlwaysAs(sql.raw(foldStep(3, 'name_fold_3')), { mode: 'virtual' }),
    /** Job role (Tätigkeitsprofil) that decides the default learning path. */
    jobRole: text('job_role').notNull().default('sachbearbeitung'),
    status: text('status', { enum: ['active', 'disabled'] })
      .notNull()
      .default('active'),
    /** argon2id PHC string; null for SSO-only accounts. */
    passwordHash: text('password_hash'),
    /** Personnel number (Personalnummer) or directory id; unique within the district; imports match people by it. */
    externalId: text('external_id'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /** When the account was deactivated (status "disabled"); null while active. */
    deactivatedAt: integer('deactivated_at', { mode: 'timestamp_ms' }),
    /** Last successful login (shown on the admin's person page). */
    lastLoginAt: integer('last_login_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    // people of one tenant by org unit (dashboards, coverage); with status, job role, id, name and e-mail, the members
    // of a cohort (and the matrix's names) are read from the index alone (5,000 people: about half the time of
    // looking up each row)
    index('users_tenant_org_members_idx').on(t.tenantId, t.orgUnitId, t.status, t.jobRole, t.id, t.name, t.email),
    // people of one tenant by job role (default path assignment)
    index('users_tenant_job_role_idx').on(t.tenantId, t.jobRole),
    // the status now of a cohort looks each member up by id: unit, job role, status and start from the index alone
    index('users_status_idx').on(t.id, t.tenantId, t.orgUnitId, t.jobRole, t.status, t.createdAt),
    // imports match people by personnel number; one person per number and district
    uniqueIndex('users_tenant_external_idx').on(t.tenantId, t.externalId),
    // the admin's people list: sorted by name as German lists sort it (then name and id, the tie-breaks) a page at a time; job role, status, e-mail, personnel
    // number, the two sortable times and the unit in the index, so counting, filtering, searching and skipping to a
    // page read no table row (looking up 50,000 rows by their key costs about 170 ms)
    index('users_tenant_people_idx').on(
      t.tenantId,
      t.nameSort,
      t.name,
      t.id,
      t.jobRole,
      t.status,
      t.email,
      t.externalId,
      t.createdAt,
      t.lastLoginAt,
      t.orgUnitId,
    ),
  ],
);

/** Roles; `staff-council` is the Personalrat's aggregate-only view. */
export const userRoles = ['learner', 'multiplier', 'hr', 'admin', 'staff-council', 'operator'] as const;
export type UserRole = (typeof userRoles)[number];

export const userRoleTable = sqliteTable(
  'user_roles',
  {
    userId: text('user_id')
      .notNull()
      .references(() => userTable.id, { onDelete: 'cascade' }),
    role: text('role', { enum: userRoles }).notNull(),
    /** Tenant of the person (null only for platform operators); trigger-checked against the user. */
    tenantId: text('tenant_id'),
    /**
     * Limits an hr, admin or staff-council grant to this org unit and its sub-units (null: the whole district).
     * Same tenant (trigger-checked). A multiplier's scope comes from cohorts instead.
     */
    scopeOrgUnitId: text('scope_org_unit_id'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.role] })],
);

export const sessionTable = sqliteTable(
  'sessions',
  {
    /** Public part of the token `id.secret`. */
    id: text('id').primaryKey(),
    /** SHA-256 of the secret part; the secret itself is never stored. */
    secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => userTable.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /** Last time the session was used; drives the sliding (idle) expiry. */
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }).notNull(),
  },
  // logout everywhere / deleting a user's sessions
  (t) => [index('sessions_user_idx').on(t.userId)],
);
