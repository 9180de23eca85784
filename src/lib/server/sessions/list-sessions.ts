/**
 * Reading sessions: a cohort's list (for its multipliers and the administration), one session with its invited and
 * present people and the cohort's colleagues to pick from, and a learner's upcoming sessions of their cohorts.
 * Attendance is read from the learning record (`session.attended` facts), not from a second table.
 */
import { and, asc, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import {
  learningEventTable,
  trainingSessionInvitationTable,
  trainingSessionMultiplierTable,
  trainingSessionTable,
  userTable,
} from '../../../../db/schema/index.ts';
import { authorize } from '../authz/authorize.ts';
import { type Cohort, cohortsOfPerson, membersOf } from '../cohorts/cohort-members.ts';
import type { ContentSet } from '../content/load-content.ts';
import type { Ctx } from '../context.ts';
import { authorizeCohortWork, requireSession, type TrainingSession } from './session-access.ts';

export interface SessionSummary {
  session: TrainingSession;
  /** "Kurs" or "Kurs – Lektion", when linked to the curriculum. */
  contentTitle: string | null;
  leads: string[];
  invited: number;
  attended: number;
  state: 'upcoming' | 'held' | 'cancelled';
}

export function contentTitleOf(content: ContentSet, s: Pick<TrainingSession, 'courseId' | 'lessonId'>): string | null {
  if (!s.courseId) return null;
  const course = content.courses.get(s.courseId);
  if (!course) return s.courseId;
  const lesson = s.lessonId ? course.lessons.find((l) => l.id === s.lessonId) : null;
  return lesson ? `${course.course.title} – ${lesson.frontmatter.title}` : course.course.title;
}

function stateOf(s: TrainingSession, now: Date): SessionSummary['state'] {
  return s.cancelledAt ? 'cancelled' : s.startsAt > now ? 'upcoming' : 'held';
}

/** Summaries of some sessions of one district (three queries whatever their number). */
async function summarize(ctx: Ctx, tenantId: string, sessions: TrainingSession[]): Promise<SessionSummary[]> {
  if (sessions.length === 0) return [];
  const ids = sessions.map((s) => s.id);
  const [leads, invited, attended] = await Promise.all([
    ctx.db
      .select({ sessionId: trainingSessionMultiplierTable.sessionId, name: userTable.name })
      .from(trainingSessionMultiplierTable)
      .innerJoin(userTable, eq(userTable.id, trainingSessionMultiplierTable.userId))
      .where(and(eq(trainingSessionMultiplierTable.tenantId, tenantId), inArray(trainingSessionMultiplierTable.sessionId, ids))),
    ctx.db
      .select({ sessionId: trainingSessionInvitationTable.sessionId, n: sql<number>`count(*)` })
      .from(trainingSessionInvitationTable)
      .where(and(eq(trainingSessionInvitationTable.tenantId, tenantId), inArray(trainingSessionInvitationTable.sessionId, ids)))
      .groupBy(trainingSessionInvitationTable.sessionId),
    ctx.db
      .select({ sessionId: learningEventTable.ref, n: sql<number>`count(DISTINCT ${learningEventTable.userId})` })
      .from(learningEventTable)
      .where(
        and(
          eq(learningEventTable.tenantId, tenantId),
          eq(learningEventTable.type, 'session.attended'),
          inArray(learningEventTable.ref, ids),
        ),
      )
      .groupBy(learningEventTable.ref),
  ]);
  const now = ctx.clock();
  return sessions.map((s) => ({
    session: s,
    contentTitle: contentTitleOf(ctx.content, s),
    leads: leads.filter((l) => l.sessionId === s.id).map((l) => l.name),
    invited: Number(invited.find((r) => r.sessionId === s.id)?.n ?? 0),
    attended: Number(attended.find((r) => r.sessionId === s.id)?.n ?? 0),
    state: stateOf(s, now),
  }));
}

/** The sessions of a cohort, upcoming first (soonest first), then held and cancelled ones (latest first). */
export async function listCohortSessions(ctx: Ctx, cohortId: string): Promise<{ cohort: Cohort; sessions: SessionSummary[] }> {
  const { scope, cohort } = await authorizeCohortWork(ctx, cohortId);
  const rows = await ctx.db
    .select()
    .from(trainingSessionTable)
    .where(and(eq(trainingSessionTable.tenantId, scope.tenantId as string), eq(trainingSessionTable.cohortId, cohort.id)))
    .orderBy(desc(trainingSessionTable.startsAt));
  const all = await summarize(ctx, scope.tenantId as string, rows);
  const upcoming = all.filter((s) => s.state === 'upcoming').reverse();
  return { cohort, sessions: [...upcoming, ...all.filter((s) => s.state !== 'upcoming')] };
}

export interface SessionPerson {
  userId: string;
  name: string;
  email: string;
  invited: boolean;
  attended: boolean;
}

export interface SessionDetail extends SessionSummary {
  cohort: Cohort;
  /** Invited or present people, by name. */
  people: SessionPerson[];
  /** Colleagues of the cohort not yet invited (filtered by `search`, at most `limit`). */
  candidates: Array<{ userId: string; name: string; email: string }>;
  /** How many candidates match in all (the list shows at most `limit`). */
  candidatesTotal: number;
}

/** One session with its people and the cohort's colleagues to pick from (search by name or e-mail). */
export async function getSessionDetail(
  ctx: Ctx,
  sessionId: string,
  opts: { search?: string; limit?: number } = {},
): Promise<SessionDetail> {
  const { scope, cohort, session } = await requireSession(ctx, sessionId);
  const tenantId = scope.tenantId as string;
  const [summary] = await summarize(ctx, tenantId, [session]);
  const [invitations, attendance, members] = await Promise.all([
    ctx.db
      .select({ userId: trainingSessionInvitationTable.userId })
      .from(trainingSessionInvitationTable)
      .where(and(eq(trainingSessionInvitationTable.tenantId, tenantId), eq(trainingSessionInvitationTable.sessionId, session.id))),
    ctx.db
      .select({ userId: learningEventTable.userId })
      .from(learningEventTable)
      .where(
        and(
          eq(learningEventTable.tenantId, tenantId),
          eq(learningEventTable.type, 'session.attended'),
          eq(learningEventTable.ref, session.id),
        ),
      ),
    membersOf(ctx, scope, cohort),
  ]);
  const invited = new Set(invitations.map((r) => r.userId));
  const attended = new Set(attendance.map((r) => r.userId as string));
  const ids = [...new Set([...invited, ...attended, ...members.map((m) => m.userId)])];
  const names =
    ids.length === 0
      ? []
      : await ctx.db.all<{ id: string; name: string; email: string }>(sql`
          SELECT u.id, u.name, u.email FROM json_each(${JSON.stringify(ids)}) AS j CROSS JOIN users AS u ON u.id = j.value
           WHERE u.tenant_id = ${tenantId}`);
  const byId = new Map(names.map((n) => [n.id, n]));
  const people = [...new Set([...invited, ...attended])]
    .map((userId) => ({
      userId,
      name: byId.get(userId)?.name ?? '–',
      email: byId.get(userId)?.email ?? '',
      invited: invited.has(userId),
      attended: attended.has(userId),
    }))
    .sort((a, b) => a.name.localeCompare(b.name, 'de'));
  const q = (opts.search ?? '').trim().toLocaleLowerCase('de');
  const matching = members
    .filter((m) => !invited.has(m.userId) && !attended.has(m.userId))
    .map((m) => ({ userId: m.userId, name: byId.get(m.userId)?.name ?? '–', email: byId.get(m.userId)?.email ?? '' }))
    .filter((m) => !q || m.name.toLocaleLowerCase('de').includes(q) || m.email.toLocaleLowerCase('de').includes(q))
    .sort((a, b) => a.name.localeCompare(b.name, 'de'));
  const limit = opts.limit ?? 100;
  return { ...(summary as SessionSummary), cohort, people, candidates: matching.slice(0, limit), candidatesTotal: matching.length };
}

export interface UpcomingSession {
  id: string;
  kind: TrainingSession['kind'];
  topic: string;
  contentTitle: string | null;
  startsAt: Date;
  minutes: number;
  place: string | null;
  onlineUrl: string | null;
  cohortName: string;
  leads: string[];
  invited: boolean;
}

/** Learner: the coming sessions (not cancelled) of the running cohorts they belong to, soonest first. */
export async function getMyUpcomingSessions(ctx: Ctx): Promise<UpcomingSession[]> {
  const scope = await authorize(ctx, 'learning.own');
  const me = scope.actorUserId;
  if (!me || !scope.tenantId) return [];
  const [self] = await ctx.db
    .select({ orgUnitId: userTable.orgUnitId, status: userTable.status })
    .from(userTable)
    .where(and(eq(userTable.id, me), eq(userTable.tenantId, scope.tenantId)));
  if (!self || self.status !== 'active') return [];
  const cohorts = await cohortsOfPerson(ctx, scope, { userId: me, orgUnitId: self.orgUnitId });
  if (cohorts.length === 0) return [];
  const rows = await ctx.db
    .select()
    .from(trainingSessionTable)
    .where(
      and(
        eq(trainingSessionTable.tenantId, scope.tenantId),
        inArray(
          trainingSessionTable.cohortId,
          cohorts.map((c) => c.id),
        ),
        isNull(trainingSessionTable.cancelledAt),
        gt(trainingSessionTable.startsAt, ctx.clock()),
      ),
    )
    .orderBy(asc(trainingSessionTable.startsAt))
    .limit(20);
  const summaries = await summarize(ctx, scope.tenantId, rows);
  const mine = new Set(
    rows.length === 0
      ? []
      : (
          await ctx.db
            .select({ sessionId: trainingSessionInvitationTable.sessionId })
            .from(trainingSessionInvitationTable)
            .where(
              and(
                eq(trainingSessionInvitationTable.tenantId, scope.tenantId),
                eq(trainingSessionInvitationTable.userId, me),
                inArray(
                  trainingSessionInvitationTable.sessionId,
                  rows.map((r) => r.id),
                ),
              ),
            )
        ).map((r) => r.sessionId),
  );
  return summaries.map((s) => ({
    id: s.session.id,
    kind: s.session.kind,
    topic: s.session.topic,
    contentTitle: s.contentTitle,
    startsAt: s.session.startsAt,
    minutes: s.session.minutes,
    place: s.session.place,
    onlineUrl: s.session.onlineUrl,
    cohortName: cohorts.find((c) => c.id === s.session.cohortId)?.name ?? '',
    leads: s.leads,
    invited: mine.has(s.session.id),
  }));
}
