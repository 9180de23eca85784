/**
 * The MIME message of a stored mail, built by nodemailer: the same options go to the SMTP transport and to the .eml
 * download of the outbox, so the file shows what the server would get.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import type { mailMessageTable } from '../../../../db/schema/index.ts';

export type MailRow = typeof mailMessageTable.$inferSelect;

export interface ComposedMailOptions {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  messageId: string;
  date: Date;
  headers: Record<string, string>;
  attachments?: Array<{ filename: string; contentType: string; content: string }>;
}

export function mailOptionsOf(row: MailRow, from: string): ComposedMailOptions {
  return {
    from,
    to: row.toAddress,
    subject: row.subject,
    text: row.bodyText,
    ...(row.bodyHtml ? { html: row.bodyHtml } : {}),
    ...(row.attachments?.length ? { attachments: row.attachments.map((a) => ({ ...a })) } : {}),
    messageId: row.messageId,
    date: row.sentAt ?? row.createdAt,
    // automatic mail: no out-of-office answers (RFC 3834)
    headers: { 'Auto-Submitted': 'auto-generated', 'X-KIKO-Template': row.template },
  };
}

/** The message as an RFC 5322 file (.eml). */
export function composeEml(row: MailRow, from: string): Promise<Buffer> {
  return new MailComposer(mailOptionsOf(row, from)).compile().build();
}
