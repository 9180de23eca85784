/** German labels of mail statuses and kinds (outbox pages, the learner's list). */
import type { MailStatus } from '../../../db/schema/mail.ts';

export const mailStatusLabel: Record<MailStatus, string> = {
  queued: 'wartet auf Versand',
  sending: 'wird gesendet',
  sent: 'versendet',
  stored: 'im Postausgang',
  failed: 'nicht zustellbar',
};

export const mailStatusBadge: Record<MailStatus, string> = { queued: 'warn', sending: 'warn', sent: 'ok', stored: '', failed: 'err' };

export const mailTemplateLabel: Record<string, string> = {
  'password-reset': 'Passwort zurücksetzen',
  invitation: 'Einladung',
  reminder: 'Erinnerung',
};
