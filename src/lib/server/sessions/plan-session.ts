/**
 * Planning a cohort's in-person session: create it (kind, date and time, topic with an optional course or lesson of
 * the curriculum, length, place or online link, the leading multipliers), change it, cancel it, and invite colleagues
 * of the cohort. Every write is one transaction with its audit entry and the mails it causes (with a calendar file);
 * a change or cancellation raises the calendar SEQUENCE and tells everyone invited.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import {
  cohortMultiplierTable,
  learningEventTable,
  sessionKinds,
  trainingSessionInvitationTable,
  trainingSessionMultiplierTable,
  trainingSessionTable,
} from '../../../../db/schema/index.ts';
import { berlinWallTime } from '../../shared/dates.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { membersOf } from '../cohorts/cohort-members.ts';
import type { ContentSet } from '../content/load-content.ts';
import { actorId, type Ctx } from '../context.ts';
import { ConflictError, ValidationError } from '../errors/domain-errors.ts';
import { authorizeCohortWork, requireSession, type TrainingSession } from './session-access.ts';
import { queueSessionMails } from './session-mails.ts';

const idSchema = z.string().regex(/^[0-9A-Za-z-]{1,64}$/, 'Ungültige Auswahl.');

/** The fields of a session as the form sends them. */
export const sessionFieldsSchema = z.object({
  kind: z.enum(sessionKinds, { error: 'Bitte die Art des Termins wählen.' }),
  topic: z
    .string({ error: 'Bitte ein Thema angeben.' })
    .trim()
    .min(3, 'Das Thema braucht mindestens 3 Zeichen.')
    .max(200, 'Das Thema darf höchstens 200 Zeichen haben.'),
  /** "" (none), "course" or "course/lesson". */
  content: z.string().max(200).default(''),
  date: z.string({ error: 'Bitte ein Datum angeben.' }).regex(/^\d{4}-\d{2}-\d{2}$/, 'Bitte das Datum als TT.MM.JJJJ angeben.'),
  time: z.string({ error: 'Bitte eine Uhrzeit angeben.' }).regex(/^\d{2}:\d{2}$/, 'Bitte die Uhrzeit als SS:MM angeben.'),
  minutes: z.coerce
    .number({ error: 'Bitte die Dauer in Minuten angeben.' })
    .int('Bitte die Dauer in ganzen Minuten angeben.')
    .min(15, 'Ein Termin dauert mindestens 15 Minuten.')
    .max(600, 'Ein Termin dauert höchstens 600 Minuten (10 Stunden).'),
  place: z.string().trim().max(200, 'Der Ort darf höchstens 200 Zeichen haben.').default(''),
  onlineUrl: z
    .string()
    .trim()
    .max(500)
    .default('')
    .refine((v) => v === '' || /^https:\/\/[^\s]+$/.test(v), 'Der Online-Link muss mit https:// beginnen.'),
});

export const createSessionSchema = sessionFieldsSchema.extend({
  cohortId: idSchema,
  /** Leading multipliers (user ids of the cohort's multipliers); default: the actor, or all of the cohort's. */
  multipliers: z.array(idSchema).max(20).default([]),
});

function firstIssue(error: z.ZodError): ValidationError {
  const issue = error.issues[0];
  return new ValidationError(issue?.message ?? 'Ungültige Eingabe.', issue ? { [String(issue.path[0] ?? '')]: issue.message } : {});
}

/** The checked fields: instant of the start, content link, place. */
function checkedFields(content: ContentSet, f: z.infer<typeof sessionFieldsSchema>) {
  const startsAt = berlinWallTime(f.date, f.time);
  if (!startsAt) throw new ValidationError('Bitte ein gültiges Datum und eine gültige Uhrzeit angeben.', { date: 'ungültig' });
  let courseId: string | null = null;
  let lessonId: string | null = null;
  if (f.content) {
    const [c, l] = f.content.split('/');
    const course = content.courses.get(c ?? '');
    if (!course || (l !== undefined && !course.lessons.some((x) => x.id === l)))
      throw new ValidationError('Diesen Kurs oder diese Lektion gibt es nicht. Bitte aus der Liste wählen.', { content: 'unbekannt' });
    courseId = course.course.id;
    lessonId = l ?? null;
  }
  if (!f.place && !f.onlineUrl) throw new ValidationError('Bitte einen Ort oder einen Online-Link angeben.', { place: 'fehlt' });
  return { startsAt, courseId, lessonId, place: f.place || null, onlineUrl: f.onlineUrl || null };
}

export async function createSession(ctx: Ctx, input: z.input<typeof createSessionSchema>): Promise<{ id: string }> {
  const parsed = createSessionSchema.safeParse(input);
  if (!parsed.success) throw firstIssue(parsed.error);
  const { scope, cohort } = await authorizeCohortWork(ctx, parsed.data.cohortId);
  if (cohort.endedAt) throw new ConflictError('Diese Kohorte ist beendet; für sie lassen sich keine Termine mehr anlegen.');
  const fields = checkedFields(ctx.content, parsed.data);
  const tenantId = scope.tenantId as string;
  const leadsOfCohort = (
    await ctx.db
      .select({ userId: cohortMultiplierTable.userId })
      .from(cohortMultiplierTable)
      .where(and(eq(cohortMultiplierTable.tenantId, tenantId), eq(cohortMultiplierTable.cohortId, cohort.id)))
  ).map((r) => r.userId);
  let leads = parsed.data.multipliers;
  if (leads.length === 0) leads = scope.actorUserId && leadsOfCohort.includes(scope.actorUserId) ? [scope.actorUserId] : leadsOfCohort;
  if (leads.length === 0) throw new ValidationError('Dieser Kohorte ist noch keine Multiplikator:in zugeordnet.');
  if (leads.some((l) => !leadsOfCohort.includes(l)))
    throw new ValidationError('Leiten können nur die Multiplikator:innen dieser Kohorte.', { multipliers: 'unbekannt' });
  const now = ctx.clock();
  const id = randomUUID();
  const by = actorId(ctx.actor);
  await ctx.db.transaction(async (tx) => {
    await tx.insert(trainingSessionTable).values({
      id,
      tenantId,
      cohortId: cohort.id,
      kind: parsed.data.kind,
      topic: parsed.data.topic,
      ...fields,
      minutes: parsed.data.minutes,
      createdBy: scope.actorUserId,
      createdAt: now,
      updatedAt: now,
    });
    await tx.insert(trainingSessionMultiplierTable).values([...new Set(leads)].map((userId) => ({ sessionId: id, tenantId, userId })));
    await appendAuditEvent(tx, {
      tenantId,
      actorId: by,
      type: 'session.created',
      subjectId: id,
      data: {
        cohortId: cohort.id,
        kind: parsed.data.kind,
        startsAt: fields.startsAt.toISOString(),
        minutes: parsed.data.minutes,
        courseId: fields.courseId,
        lessonId: fields.lessonId,
        leads,
      },
      at: now,
    });
  });
  return { id };
}

export const changeSessionSchema = sessionFieldsSchema.extend({ sessionId: idSchema });

/** Whether attendance has been recorded for the session (then it can no longer be moved or cancelled). */
async function hasAttendance(ctx: Ctx, session: TrainingSession): Promise<boolean> {
  const [row] = await ctx.db
    .select({ seq: learningEventTable.seq })
    .from(learningEventTable)
    .where(
      and(
        eq(learningEventTable.tenantId, session.tenantId),
        eq(learningEventTable.type, 'session.attended'),
        eq(learningEventTable.ref, session.id),
      ),
    )
    .limit(1);
  return Boolean(row);
}

async function inviteesOf(ctx: Ctx, session: TrainingSession): Promise<string[]> {
  const rows = await ctx.db
    .select({ userId: trainingSessionInvitationTable.userId })
    .from(trainingSessionInvitationTable)
    .where(and(eq(trainingSessionInvitationTable.tenantId, session.tenantId), eq(trainingSessionInvitationTable.sessionId, session.id)));
  return rows.map((r) => r.userId);
}

/** Changes a session; everyone invited gets the changed calendar entry. Returns how many were told. */
export async function changeSession(ctx: Ctx, input: z.input<typeof changeSessionSchema>): Promise<{ notified: number }> {
  const parsed = changeSessionSchema.safeParse(input);
  if (!parsed.success) throw firstIssue(parsed.error);
  const { scope, session } = await requireSession(ctx, parsed.data.sessionId);
  if (session.cancelledAt) throw new ConflictError('Dieser Termin ist abgesagt und lässt sich nicht mehr ändern.');
  if (await hasAttendance(ctx, session))
    throw new ConflictError('Für diesen Termin ist die Anwesenheit erfasst; er lässt sich nicht mehr ändern.');
  const fields = checkedFields(ctx.content, parsed.data);
  const now = ctx.clock();
  const next: TrainingSession = {
    ...session,
    ...fields,
    kind: parsed.data.kind,
    topic: parsed.data.topic,
    minutes: parsed.data.minutes,
    sequence: session.sequence + 1,
    updatedAt: now,
  };
  const invitees = await inviteesOf(ctx, session);
  return ctx.db.transaction(async (tx) => {
    await tx
      .update(trainingSessionTable)
      .set({ ...fields, kind: next.kind, topic: next.topic, minutes: next.minutes, sequence: next.sequence, updatedAt: now })
      .where(and(eq(trainingSessionTable.id, session.id), eq(trainingSessionTable.tenantId, session.tenantId)));
    const notified = await queueSessionMails(tx, next, invitees, 'update', now);
    await appendAuditEvent(tx, {
      tenantId: scope.tenantId,
      actorId: actorId(ctx.actor),
      type: 'session.changed',
      subjectId: session.id,
      data: { startsAt: next.startsAt.toISOString(), minutes: next.minutes, sequence: next.sequence, notified },
      at: now,
    });
    return { notified };
  });
}

/** Cancels a session; everyone invited gets the cancellation. */
export async function cancelSession(ctx: Ctx, sessionId: string): Promise<{ notified: number }> {
  const { scope, session } = await requireSession(ctx, sessionId);
  if (session.cancelledAt) return { notified: 0 };
  if (await hasAttendance(ctx, session))
    throw new ConflictError('Für diesen Termin ist die Anwesenheit erfasst; er lässt sich nicht mehr absagen.');
  const now = ctx.clock();
  const next: TrainingSession = { ...session, cancelledAt: now, sequence: session.sequence + 1, updatedAt: now };
  const invitees = await inviteesOf(ctx, session);
  return ctx.db.transaction(async (tx) => {
    await tx
      .update(trainingSessionTable)
      .set({ cancelledAt: now, sequence: next.sequence, updatedAt: now })
      .where(and(eq(trainingSessionTable.id, session.id), eq(trainingSessionTable.tenantId, session.tenantId)));
    const notified = await queueSessionMails(tx, next, invitees, 'cancellation', now);
    await appendAuditEvent(tx, {
      tenantId: scope.tenantId,
      actorId: actorId(ctx.actor),
      type: 'session.cancelled',
      subjectId: session.id,
      data: { sequence: next.sequence, notified },
      at: now,
    });
    return { notified };
  });
}

export const inviteSchema = z.object({ sessionId: idSchema, userIds: z.array(idSchema).max(5000) });

/**
 * Invites colleagues of the session's cohort (members now). Someone outside the cohort is refused (nothing changes);
 * someone already invited is skipped. A session still to come sends the invitation with its calendar file.
 */
export async function inviteToSession(ctx: Ctx, input: z.input<typeof inviteSchema>): Promise<{ invited: number }> {
  const parsed = inviteSchema.safeParse(input);
  if (!parsed.success) throw firstIssue(parsed.error);
  const { scope, cohort, session } = await requireSession(ctx, parsed.data.sessionId);
  if (session.cancelledAt) throw new ConflictError('Dieser Termin ist abgesagt.');
  const wanted = [...new Set(parsed.data.userIds)];
  if (wanted.length === 0) throw new ValidationError('Bitte mindestens eine Person auswählen.');
  const members = new Set((await membersOf(ctx, scope, cohort)).map((m) => m.userId));
  const outside = wanted.filter((u) => !members.has(u));
  if (outside.length > 0)
    throw new ValidationError(
      outside.length === 1
        ? 'Eine der gewählten Personen gehört nicht zur Kohorte dieses Termins. Eingeladen werden können nur Personen der Kohorte.'
        : `${outside.length} der gewählten Personen gehören nicht zur Kohorte dieses Termins. Eingeladen werden können nur Personen der Kohorte.`,
    );
  const now = ctx.clock();
  const already = new Set(
    (
      await ctx.db
        .select({ userId: trainingSessionInvitationTable.userId })
        .from(trainingSessionInvitationTable)
        .where(and(eq(trainingSessionInvitationTable.sessionId, session.id), inArray(trainingSessionInvitationTable.userId, wanted)))
    ).map((r) => r.userId),
  );
  const fresh = wanted.filter((u) => !already.has(u));
  if (fresh.length === 0) return { invited: 0 };
  await ctx.db.transaction(async (tx) => {
    await tx
      .insert(trainingSessionInvitationTable)
      .values(
        fresh.map((userId) => ({
          sessionId: session.id,
          tenantId: session.tenantId,
          userId,
          invitedAt: now,
          invitedBy: scope.actorUserId,
        })),
      )
      .onConflictDoNothing();
    const mailed = session.startsAt > now ? await queueSessionMails(tx, session, fresh, 'invitation', now) : 0;
    await appendAuditEvent(tx, {
      tenantId: scope.tenantId,
      actorId: actorId(ctx.actor),
      type: 'session.invited',
      subjectId: session.id,
      data: { invited: fresh.length, mailed },
      at: now,
    });
  });
  return { invited: fresh.length };
}
