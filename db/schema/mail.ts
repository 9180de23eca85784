/**
 * Outgoing e-mail (queue, outbox and log in one table), reminder templates and the reminder log, one-time password
 * tokens (reset and invitation) and the leases of scheduled jobs.
 */
import { blob, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { tenantTable } from './tenants.ts';
import { userTable } from './users.ts';

/** A file sent with a mail (text content, e.g. an iCalendar file). */
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: string;
}

export const mailStatuses = ['queued', 'sending', 'sent', 'stored', 'failed'] as const;
export type MailStatus = (typeof mailStatuses)[number];

/**
 * One outgoing message. `queued` → `sending` (claimed by the delivery job until `claimedUntil`) → `sent` (handed to
 * the SMTP server) or `stored` (no SMTP server configured: kept in the outbox) or `failed` (refused for good, or too
 * many attempts). The row stays as the log of what was sent to whom.
 */
export const mailMessageTable = sqliteTable(
  'mail_messages',
  {
    id: text('id').primaryKey(),
    /** District of the recipient (null for platform mail). */
    tenantId: text('tenant_id').references(() => tenantTable.id),
    /** Recipient person, when the mail goes to a KIKO account. */
    userId: text('user_id').references(() => userTable.id, { onDelete: 'set null' }),
    /** Recipient address as it was at queueing time. */
    toAddress: text('to_address').notNull(),
    /** Kind of mail: `password-reset`, `invitation`, `reminder`, … */
    template: text('template').notNull(),
    subject: text('subject').notNull(),
    bodyText: text('body_text').notNull(),
    bodyHtml: text('body_html'),
    /** Files sent with the message (a session's calendar file): name, MIME type and text content. */
    attachments: text('attachments', { mode: 'json' }).$type<MailAttachment[]>(),
    status: text('status', { enum: mailStatuses }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    /** Earliest time of the next delivery attempt (backoff while the SMTP server is unreachable). */
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    /** While `sending`: the claim of the delivery job ends here; an expired claim means the sender stopped mid-way. */
    claimedUntil: integer('claimed_until', { mode: 'timestamp_ms' }),
    /** Last delivery problem, without addresses of the SMTP server or credentials. */
    lastError: text('last_error'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
    /** RFC 5322 Message-ID, fixed at queueing time: a repeated delivery carries the same id. */
    messageId: text('message_id').notNull(),
    /** Caller's key: queueing the same key twice yields the one message. */
    idempotencyKey: text('idempotency_key'),
  },
  (t) => [
    // the delivery job: due messages by status and time
    index('mail_messages_due_idx').on(t.status, t.nextAttemptAt),
    // the outbox of one district, newest first
    index('mail_messages_tenant_created_idx').on(t.tenantId, t.createdAt),
    // mails a person received (learner view, GDPR export)
    index('mail_messages_user_idx').on(t.userId, t.createdAt),
    uniqueIndex('mail_messages_idempotency_idx').on(t.idempotencyKey),
  ],
);

/** A district's reminder text with the placeholders {name}, {kurs}, {faellig}, {link}. */
export const reminderTemplateTable = sqliteTable(
  'reminder_templates',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    name: text('name').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  // templates of one district (reminder form, admin list)
  (t) => [index('reminder_templates_tenant_idx').on(t.tenantId)],
);

/** What reminder was sent to whom, when and by whom; drives the cool-down and the learner's list. */
export const reminderLogTable = sqliteTable(
  'reminder_log',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    userId: text('user_id')
      .notNull()
      .references(() => userTable.id, { onDelete: 'cascade' }),
    templateId: text('template_id'),
    mailId: text('mail_id').references(() => mailMessageTable.id),
    /** Actor id of whoever sent it ("system:kiko-cli", a person's id). */
    sentBy: text('sent_by').notNull(),
    /** The send's idempotency key: one reminder per person and key. */
    batchKey: text('batch_key').notNull(),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    // cool-down check and the learner's reminders: one person's reminders by time
    index('reminder_log_user_idx').on(t.tenantId, t.userId, t.sentAt),
    // a double click: the same send key never reminds a person twice
    uniqueIndex('reminder_log_batch_user_idx').on(t.batchKey, t.userId),
  ],
);

/** One-time tokens to set a password: `reset` (forgotten password) or `invite` (new account). */
export const passwordTokenTable = sqliteTable(
  'password_tokens',
  {
    /** Public part of the token `id.secret`. */
    id: text('id').primaryKey(),
    /** SHA-256 of the secret part; the secret itself is never stored. */
    secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => userTable.id, { onDelete: 'cascade' }),
    tenantId: text('tenant_id').references(() => tenantTable.id),
    purpose: text('purpose', { enum: ['reset', 'invite'] }).notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    /** Set when the token was used (single use). */
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  },
  // a new token ends the person's earlier ones; erasure removes them
  (t) => [index('password_tokens_user_idx').on(t.userId)],
);

/** Lease of a scheduled job: the one process holding an unexpired lease runs it. */
export const jobLeaseTable = sqliteTable('job_leases', {
  name: text('name').primaryKey(),
  /** Process that holds the lease (host:pid:random). */
  holder: text('holder').notNull(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  lastStartedAt: integer('last_started_at', { mode: 'timestamp_ms' }),
  lastFinishedAt: integer('last_finished_at', { mode: 'timestamp_ms' }),
  /** Outcome of the last run: a short summary or the error message. */
  lastResult: text('last_result'),
  lastOk: integer('last_ok', { mode: 'boolean' }),
});
