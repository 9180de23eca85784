/** Single sign-on (OpenID Connect): identities at a district's provider, pending logins, and SSO sessions. */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { tenantTable } from './tenants.ts';
import { sessionTable, userTable } from './users.ts';

/**
 * A person's identity at an OpenID provider: issuer and subject (`sub`) identify it for good, never the e-mail.
 * One identity belongs to exactly one person of one district.
 */
export const userIdentityTable = sqliteTable(
  'user_identities',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    /** The provider's issuer identifier, exactly as in the id_token's `iss`. */
    issuer: text('issuer').notNull(),
    /** The provider's stable subject identifier (`sub`). */
    subject: text('subject').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => userTable.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    lastLoginAt: integer('last_login_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    // the login callback finds the person by issuer and subject (one subject never names two people)
    uniqueIndex('user_identities_issuer_subject_idx').on(t.issuer, t.subject),
    // the person page and erasure list a person's identities
    index('user_identities_user_idx').on(t.userId),
  ],
);

/**
 * A login that was sent to the provider and has not come back yet. The row is found by the `state` the provider
 * returns, is bound to the browser by the hash of a cookie secret, and is deleted when it is used (single use).
 */
export const ssoLoginStateTable = sqliteTable(
  'sso_login_states',
  {
    /** The `state` parameter (random, 256 bits). */
    state: text('state').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    /** SHA-256 (hex) of the secret in the browser's short-lived login cookie. */
    browserHash: text('browser_hash').notNull(),
    /** PKCE code verifier; only its S256 challenge went to the provider. */
    codeVerifier: text('code_verifier').notNull(),
    nonce: text('nonce').notNull(),
    /** Where to go after the login (a safe same-origin path) or null for the start page. */
    returnTo: text('return_to'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  // clearing expired logins
  (t) => [index('sso_login_states_expires_idx').on(t.expiresAt)],
);

/** KIKO sessions that began with single sign-on: logout then also ends the provider's session (RP-initiated). */
export const ssoSessionTable = sqliteTable('sso_sessions', {
  sessionId: text('session_id')
    .primaryKey()
    .references(() => sessionTable.id, { onDelete: 'cascade' }),
  tenantId: text('tenant_id')
    .notNull()
    .references(() => tenantTable.id),
  issuer: text('issuer').notNull(),
});
