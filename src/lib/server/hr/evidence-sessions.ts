/**
 * The in-person sessions of an evidence export's selection and the figures of the multiplier programme, as of T and
 * recorded by R (docs/decisions/013-hr-evidence-coverage-and-exports.md, "Sessions"):
 * - a session is in the selection when it began in the period (without a period: by T), by the cut-off R, and was
 *   planned by R;
 * - cancelled means cancelled by R; invitations count when made by R, attendance (`session.attended` facts) when
 *   recorded by R;
 * - invited and present people count only when they belong to the export's group: the people of the org unit and
 *   job role selection within the grant's scope, placed by their membership at T (the group `totals` counts, not
 *   narrowed by the status or activity filters);
 * - for a narrowed group (an HR grant limited to a subtree, an org unit or job role filter) a session appears only
 *   when someone of the group was invited to it or attended it; for the whole district every session appears;
 * - the programme: the cascade (sessions/cascade.ts, `cascadeFigures`) over the held sessions of the selection, with
 *   the active people of the group as colleagues, and its small-group suppression.
 * Four queries whatever the number of sessions or people.
 */
import { sql } from 'drizzle-orm';
import type { SessionKind } from '../../../../db/schema/index.ts';
import type { Scope } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { cascadeFigures } from '../sessions/cascade.ts';
import type { EvidencePeriod } from './evidence-dates.ts';

/** One in-person session of the selection. */
export interface EvidenceSessionRecord {
  id: string;
  /** Start (ISO 8601 instant). */
  startsAt: string;
  kind: SessionKind;
  topic: string;
  cohort: { id: string; name: string };
  /** Course and lesson of the curriculum the session teaches, if linked. */
  course: { id: string; title: string } | null;
  lesson: { id: string; title: string } | null;
  minutes: number;
  /** Room and address on site, if any. */
  place: string | null;
  /** Whether it (also) took place online; the link itself is not exported. */
  online: boolean;
  /** The leading multipliers, by name. */
  leads: Array<{ id: string; name: string }>;
  /** People of the group invited by R. */
  invited: number;
  /** People of the group recorded as present by R. */
  attended: number;
  cancelled: boolean;
}

/** The multiplier programme within the selection: the cascade across all multipliers. */
export interface EvidenceProgramme {
  /** Cohorts and multipliers with at least one held session in the selection. */
  cohorts: number;
  multipliers: number;
  sessionsHeld: number;
  /** Sum of the held sessions' lengths. */
  minutesHeld: number;
  /** Attendances (person × held session) of people of the group. */
  attendances: number;
  /** Active people of the group who attended at least one held session, and the other active people of the group. */
  reached: number;
  notReached: number;
  /** Shares who completed their required path; null when either group is smaller than `minGroupSize`. */
  reachedCompletedPercent: number | null;
  notReachedCompletedPercent: number | null;
  minGroupSize: number;
}

type SessionRow = [
  string,
  number,
  SessionKind,
  string,
  string,
  string,
  string | null,
  string | null,
  number,
  string | null,
  number,
  number | null,
];

async function jsonRows<T extends unknown[]>(ctx: Ctx, inner: ReturnType<typeof sql>): Promise<T[]> {
  const [row] = await ctx.db.all<{ rows: string | null }>(sql`SELECT json_group_array(json(r)) AS rows FROM (${inner})`);
  return JSON.parse(row?.rows ?? '[]') as T[];
}

/** The sessions of the selection and the programme's figures (`scope` from `authorize(ctx, 'hr.view')`). */
export async function sessionsOfSelection(
  ctx: Ctx,
  scope: Scope,
  opts: {
    asOf: Date;
    recordedBy: Date;
    period: EvidencePeriod | null;
    /**
     * The people of the org unit and job role selection within the scope, as of T: whether each completed their
     * required path (`PathStatus.covered`) if their membership was active then, null if it was not.
     */
    group: ReadonlyMap<string, boolean | null>;
    /** Whether the group is narrower than the whole district. */
    narrowed: boolean;
    minGroupSize: number;
  },
): Promise<{ sessions: EvidenceSessionRecord[]; programme: EvidenceProgramme }> {
  const tenantId = scope.tenantId as string;
  const R = opts.recordedBy.getTime();
  const since = opts.period ? sql` AND s.starts_at >= ${opts.period.from.getTime()}` : sql``;
  const until = Math.min(opts.period ? opts.period.to.getTime() : opts.asOf.getTime(), opts.asOf.getTime(), R);
  // training_sessions_tenant_idx (tenant, starts_at)
  const rows = await jsonRows<SessionRow>(
    ctx,
    sql`SELECT json_array(s.id, s.starts_at, s.kind, s.topic, s.cohort_id, c.name, s.course_id, s.lesson_id, s.minutes, s.place,
                          s.online_url IS NOT NULL AND s.online_url <> '', CASE WHEN s.cancelled_at <= ${R} THEN s.cancelled_at END) AS r
          FROM training_sessions AS s JOIN cohorts AS c ON c.id = s.cohort_id
         WHERE s.tenant_id = ${tenantId} AND s.starts_at <= ${until}${since} AND s.created_at <= ${R}
         ORDER BY s.starts_at, s.id`,
  );
  const ids = JSON.stringify(rows.map((r) => r[0]));
  const [leads, invitations, attendance] =
    rows.length === 0
      ? [[], [], []]
      : await Promise.all([
          jsonRows<[string, string, string]>(
            ctx,
            // CROSS JOIN fixes the order, `+` keeps the tenant-only indexes out: the ids first, then primary keys
            sql`SELECT json_array(m.session_id, m.user_id, u.name) AS r
                  FROM json_each(${ids}) AS j CROSS JOIN training_session_multipliers AS m ON m.session_id = j.value
                  CROSS JOIN users AS u ON u.id = m.user_id
                 WHERE +m.tenant_id = ${tenantId} AND +u.tenant_id = ${tenantId}`,
          ),
          jsonRows<[string, string]>(
            ctx,
            sql`SELECT json_array(i.session_id, i.user_id) AS r
                  FROM json_each(${ids}) AS j CROSS JOIN training_session_invitations AS i ON i.session_id = j.value
                 WHERE +i.tenant_id = ${tenantId} AND i.invited_at <= ${R}`,
          ),
          jsonRows<[string, string]>(
            ctx,
            sql`SELECT DISTINCT json_array(ref, user_id) AS r FROM learning_events
                 WHERE tenant_id = ${tenantId} AND type = 'session.attended' AND recorded_at <= ${R}
                   AND ref IN (SELECT value FROM json_each(${ids}))`,
          ),
        ]);
  const inGroup = opts.group;
  const perSession = <T>(): Map<string, T[]> => new Map(rows.map((r) => [r[0], []]));
  const leadsOf = perSession<{ id: string; name: string }>();
  for (const [s, id, name] of leads) leadsOf.get(s)?.push({ id, name });
  const invitedOf = perSession<string>();
  for (const [s, u] of invitations) if (inGroup.has(u)) invitedOf.get(s)?.push(u);
  const attendedOf = perSession<string>();
  for (const [s, u] of attendance) if (inGroup.has(u)) attendedOf.get(s)?.push(u);

  const course = (id: string | null) => (id ? (ctx.content.courses.get(id) ?? null) : null);
  const sessions: EvidenceSessionRecord[] = [];
  for (const [id, startsAt, kind, topic, cohortId, cohortName, courseId, lessonId, minutes, place, online, cancelledAt] of rows) {
    const invited = invitedOf.get(id)?.length ?? 0;
    const attended = attendedOf.get(id)?.length ?? 0;
    if (opts.narrowed && invited === 0 && attended === 0) continue;
    const c = course(courseId);
    const lesson = lessonId ? c?.lessons.find((l) => l.id === lessonId) : undefined;
    sessions.push({
      id,
      startsAt: new Date(startsAt).toISOString(),
      kind,
      topic,
      cohort: { id: cohortId, name: cohortName },
      course: courseId ? { id: courseId, title: c?.course.title ?? courseId } : null,
      lesson: lessonId ? { id: lessonId, title: lesson?.frontmatter.title ?? lessonId } : null,
      minutes,
      place: place || null,
      online: Boolean(online),
      leads: (leadsOf.get(id) ?? []).sort((a, b) => a.name.localeCompare(b.name, 'de') || (a.id < b.id ? -1 : 1)),
      invited,
      attended,
      cancelled: cancelledAt !== null,
    });
  }

  const held = sessions.filter((s) => !s.cancelled);
  const cascade = cascadeFigures({
    sessions: held.map((s) => ({ id: s.id, minutes: s.minutes, leads: s.leads.map((l) => l.id), held: true })),
    attendees: new Map(held.map((s) => [s.id, new Set(attendedOf.get(s.id))])),
    completed: new Map([...opts.group].filter((e): e is [string, boolean] => e[1] !== null)),
    names: new Map(held.flatMap((s) => s.leads.map((l) => [l.id, l.name] as const))),
    minGroupSize: opts.minGroupSize,
  });
  const programme: EvidenceProgramme = {
    cohorts: new Set(held.map((s) => s.cohort.id)).size,
    multipliers: cascade.rows.length,
    sessionsHeld: held.length,
    minutesHeld: held.reduce((n, s) => n + s.minutes, 0),
    attendances: held.reduce((n, s) => n + s.attended, 0),
    reached: cascade.total.reached,
    notReached: cascade.total.notReached,
    reachedCompletedPercent: cascade.total.reachedCompletedPercent,
    notReachedCompletedPercent: cascade.total.notReachedCompletedPercent,
    minGroupSize: opts.minGroupSize,
  };
  return { sessions, programme };
}
