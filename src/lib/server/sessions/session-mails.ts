/**
 * Invitation, change and cancellation mails of a session, queued in the caller's transaction (mail/queue-mail.ts),
 * each with the session's calendar file. One mail per person and calendar SEQUENCE: a retried action sends once.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { trainingSessionMultiplierTable, userTable } from '../../../../db/schema/index.ts';
import { formatDateTime, formatMinutes } from '../../shared/format.ts';
import type { Tx } from '../evidence/record.ts';
import { publicLink } from '../mail/mail-links.ts';
import { queueMail } from '../mail/queue-mail.ts';
import type { TrainingSession } from './session-access.ts';
import { sessionCalendar } from './session-calendar.ts';
import { sessionKindLabel } from './session-labels.ts';

export type SessionMailKind = 'invitation' | 'update' | 'cancellation';

const subjects: Record<SessionMailKind, string> = {
  invitation: 'Einladung',
  update: 'Geänderter Termin',
  cancellation: 'Abgesagt',
};

/** The multipliers leading a session (name, e-mail), first the one who created it. */
export async function sessionLeads(
  tx: Pick<Tx, 'select'>,
  session: TrainingSession,
): Promise<Array<{ userId: string; name: string; email: string }>> {
  const rows = await tx
    .select({ userId: userTable.id, name: userTable.name, email: userTable.email })
    .from(trainingSessionMultiplierTable)
    .innerJoin(userTable, eq(userTable.id, trainingSessionMultiplierTable.userId))
    .where(and(eq(trainingSessionMultiplierTable.tenantId, session.tenantId), eq(trainingSessionMultiplierTable.sessionId, session.id)));
  return rows.sort((a, b) =>
    a.userId === session.createdBy ? -1 : b.userId === session.createdBy ? 1 : a.name.localeCompare(b.name, 'de'),
  );
}

/** Queues one mail of `kind` to each of `userIds` (people of the session's district). Returns how many were queued. */
export async function queueSessionMails(
  tx: Tx,
  session: TrainingSession,
  userIds: readonly string[],
  kind: SessionMailKind,
  now: Date,
): Promise<number> {
  if (userIds.length === 0) return 0;
  const leads = await sessionLeads(tx, session);
  const people = await tx
    .select({ id: userTable.id, name: userTable.name, email: userTable.email, status: userTable.status })
    .from(userTable)
    .where(and(eq(userTable.tenantId, session.tenantId), inArray(userTable.id, [...userIds])));
  const calendar = sessionCalendar(session, leads[0] ?? null, { cancelled: kind === 'cancellation' });
  const what = `${sessionKindLabel[session.kind]} „${session.topic}“`;
  const where = session.place ? `Ort: ${session.place}` : `Online: ${session.onlineUrl ?? ''}`;
  let queued = 0;
  for (const p of people) {
    if (p.status !== 'active') continue;
    const intro =
      kind === 'invitation'
        ? `Sie sind eingeladen zur ${what}.`
        : kind === 'update'
          ? `Der Termin ${what} hat sich geändert. Es gilt:`
          : `Der Termin ${what} am ${formatDateTime(session.startsAt)} fällt aus.`;
    const details = kind === 'cancellation' ? [] : [`Wann: ${formatDateTime(session.startsAt)} (${formatMinutes(session.minutes)})`, where];
    const text = [
      `Guten Tag ${p.name},`,
      '',
      intro,
      ...details,
      leads.length > 0 ? `Leitung: ${leads.map((l) => `${l.name} (${l.email})`).join(', ')}` : '',
      '',
      kind === 'cancellation'
        ? 'Die angehängte Kalenderdatei entfernt den Termin aus Ihrem Kalender.'
        : 'Mit der angehängten Kalenderdatei (termin.ics) tragen Sie den Termin in Ihren Kalender ein.',
      `Ihre Termine und Kurse: ${publicLink('/lernen')}`,
      '',
      'Diese Nachricht wurde von KIKO automatisch versandt.',
    ]
      .filter((line, i, all) => line !== '' || all[i - 1] !== '')
      .join('\n');
    const r = await queueMail(
      tx,
      {
        tenantId: session.tenantId,
        userId: p.id,
        to: p.email,
        template: `session-${kind}`,
        subject: `${subjects[kind]}: ${sessionKindLabel[session.kind]} am ${formatDateTime(session.startsAt)}`,
        text,
        attachments: [calendar],
        idempotencyKey: `session:${session.id}:${session.sequence}:${kind}:${p.id}`,
      },
      { now },
    );
    if (r.created) queued++;
  }
  return queued;
}
