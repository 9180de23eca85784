/**
 * Puts a message into the outgoing queue, in the caller's transaction: the mail exists exactly when the change that
 * caused it commits. The delivery job (deliver-mail.ts) sends it; without an SMTP server it goes to the outbox.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { type MailAttachment, mailMessageTable } from '../../../../db/schema/index.ts';
import { type MailDelivery, mailDelivery } from './mail-config.ts';

/** A database or an open transaction of one. */
export type DbOrTx = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

export interface OutgoingMail {
  tenantId: string | null;
  userId?: string | null;
  to: string;
  /** Kind of mail (`password-reset`, `invitation`, `reminder`, …). */
  template: string;
  subject: string;
  text: string;
  html?: string | null;
  /** Files sent with it (e.g. a calendar file). */
  attachments?: MailAttachment[] | null;
  /** Queueing the same key again returns the existing message instead of a second one. */
  idempotencyKey?: string | null;
}

/** Domain part of the Message-IDs (RFC 5322 msg-id); fixed, so ids do not reveal the host. */
const MESSAGE_ID_DOMAIN = 'kiko.mail';

export async function queueMail(
  db: DbOrTx,
  mail: OutgoingMail,
  opts: { now?: Date; delivery?: MailDelivery['mode'] } = {},
): Promise<{ id: string; created: boolean }> {
  const now = opts.now ?? new Date();
  const delivery = opts.delivery ?? mailDelivery().mode;
  const id = randomUUID();
  const inserted = await db
    .insert(mailMessageTable)
    .values({
      id,
      tenantId: mail.tenantId,
      userId: mail.userId ?? null,
      toAddress: mail.to,
      template: mail.template,
      subject: mail.subject,
      bodyText: mail.text,
      bodyHtml: mail.html ?? null,
      attachments: mail.attachments ?? null,
      // without an SMTP server the message is kept in the outbox at once
      status: delivery === 'outbox' ? 'stored' : 'queued',
      sentAt: delivery === 'outbox' ? now : null,
      nextAttemptAt: now,
      createdAt: now,
      messageId: `<${id}@${MESSAGE_ID_DOMAIN}>`,
      idempotencyKey: mail.idempotencyKey ?? null,
    })
    .onConflictDoNothing()
    .returning({ id: mailMessageTable.id });
  if (inserted[0]) return { id, created: true };
  const [existing] = await db
    .select({ id: mailMessageTable.id })
    .from(mailMessageTable)
    .where(eq(mailMessageTable.idempotencyKey, mail.idempotencyKey ?? ''));
  if (!existing) throw new Error('queueMail: conflict without an existing message');
  return { id: existing.id, created: false };
}
