/**
 * The calendar file (.ics, RFC 5545) of a session, made by the `ics` package: one VEVENT whose UID stays the same for
 * the session and whose SEQUENCE rises with every change, so calendar programs update or remove the entry they have.
 */
import { createEvent } from 'ics';
import type { MailAttachment } from '../../../../db/schema/index.ts';
import { publicLink } from '../mail/mail-links.ts';
import type { TrainingSession } from './session-access.ts';
import { sessionKindLabel } from './session-labels.ts';

export function sessionUid(session: Pick<TrainingSession, 'id'>): string {
  return `${session.id}@kiko.termine`;
}

export function sessionCalendar(
  session: TrainingSession,
  organizer: { name: string; email: string } | null,
  opts: { cancelled?: boolean } = {},
): MailAttachment {
  const method = opts.cancelled ? 'CANCEL' : 'REQUEST';
  const { error, value } = createEvent({
    productId: 'KIKO//Termine//DE',
    method,
    uid: sessionUid(session),
    sequence: session.sequence,
    start: session.startsAt.getTime(),
    startInputType: 'utc',
    startOutputType: 'utc',
    duration: { minutes: session.minutes },
    title: `${sessionKindLabel[session.kind]}: ${session.topic}`,
    description: session.onlineUrl ? `Online-Termin: ${session.onlineUrl}` : `Termin der KI-Multiplikator:innen (${publicLink('/lernen')})`,
    location: session.place ?? session.onlineUrl ?? undefined,
    ...(session.onlineUrl ? { url: session.onlineUrl } : {}),
    status: opts.cancelled ? 'CANCELLED' : 'CONFIRMED',
    ...(organizer ? { organizer: { name: organizer.name, email: organizer.email } } : {}),
    lastModified: session.updatedAt.getTime(),
  });
  if (error || !value) throw error ?? new Error('Kalenderdatei konnte nicht erstellt werden.');
  return { filename: 'termin.ics', contentType: `text/calendar; charset=utf-8; method=${method}`, content: value };
}
