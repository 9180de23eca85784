/**
 * How KIKO delivers mail, from the one config module (KIKO_SMTP_URL, KIKO_MAIL_FROM): to an SMTP server, or — without
 * one, as in the demo — into the outbox that a district admin reads in KIKO (Verwaltung → Postausgang).
 */
import { type Env, getEnv } from '../config/env.ts';

export type MailDelivery = { mode: 'smtp'; smtpUrl: string; from: string } | { mode: 'outbox'; from: string };

/** Sender of outbox mails when no KIKO_MAIL_FROM is set (the address is never used for delivery). */
export const OUTBOX_FROM = 'KIKO <kiko@postausgang.invalid>';

export function mailDelivery(env: Env = getEnv()): MailDelivery {
  if (env.KIKO_SMTP_URL) return { mode: 'smtp', smtpUrl: env.KIKO_SMTP_URL, from: env.KIKO_MAIL_FROM ?? OUTBOX_FROM };
  return { mode: 'outbox', from: env.KIKO_MAIL_FROM ?? OUTBOX_FROM };
}

/** The SMTP server as it may appear in logs and on pages: host and port, never user name or password. */
export function describeSmtp(smtpUrl: string): string {
  try {
    const u = new URL(smtpUrl);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}`;
  } catch {
    return '(ungültige Adresse)';
  }
}
