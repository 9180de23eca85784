/** Signed certificates for completed courses or learning paths. */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { tenantTable } from './tenants.ts';
import { userTable } from './users.ts';

export const certificateTable = sqliteTable(
  'certificates',
  {
    /** Short unguessable code shown on the certificate and in the verification URL. */
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    userId: text('user_id')
      .notNull()
      .references(() => userTable.id),
    kind: text('kind', { enum: ['course', 'path'] }).notNull(),
    /** Course or path id. */
    achievementId: text('achievement_id').notNull(),
    /** Canonical signed payload (JSON). */
    payload: text('payload').notNull(),
    signature: text('signature').notNull(),
    keyId: text('key_id').notNull(),
    issuedAt: integer('issued_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    revokedReason: text('revoked_reason'),
    /** Certificate this one replaces (reissue). */
    replacesId: text('replaces_id'),
  },
  (t) => [
    // "my certificates" and HR lists per person
    index('certificates_tenant_user_idx').on(t.tenantId, t.userId),
    // one valid certificate per achievement and completion: batch issue reruns find existing ones
    uniqueIndex('certificates_user_achievement_issued_idx').on(t.userId, t.kind, t.achievementId, t.issuedAt),
  ],
);
