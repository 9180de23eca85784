/**
 * Demo cohorts for Landkreis Musterstadt: about 40 colleagues in Fachbereich 2 and 3 with uneven progress (some not
 * started, some halfway, some through their required path months ago, quizzes with a few hard questions that many
 * get wrong), and Max Multiplikator leading two cohorts ("Ordnung und Verkehr", "Soziales und Jugend"), so the
 * multiplier's dashboard, matrix and item analysis show real shapes after `npm start`. Written through the real
 * verbs (createUser, completeLesson, startAttempt, answerItem, createCohort, assignMultiplier), so record, projections
 * and audit log agree. The district switches person-level views on for the demo. Written in one transaction
 * (seed-step.ts); skipped when Musterstadt already has cohorts.
 */
import { createHash } from 'node:crypto';
import { and, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { cohortTable, mailMessageTable, tenantTable, trainingSessionTable, userTable } from '../../../../db/schema/index.ts';
import type { QuizItem } from '../../shared/content-schema.ts';
import type { ItemResponse } from '../../shared/quiz-response.ts';
import { membersOf } from '../cohorts/cohort-members.ts';
import { assignMultiplier } from '../cohorts/cohort-multipliers.ts';
import { createCohort } from '../cohorts/create-cohort.ts';
import type { ContentSet } from '../content/load-content.ts';
import { personContext } from '../context.ts';
import { completeLesson } from '../learning/lesson-progress.ts';
import type { AttemptLayout } from '../quizzes/draw-attempt.ts';
import { gradeItem } from '../quizzes/grade-item.ts';
import { idTranslation } from '../quizzes/public-item.ts';
import { answerItem, startAttempt } from '../quizzes/quiz-attempts.ts';
import { sendCohortReminders } from '../reminders/cohort-reminders.ts';
import { DEFAULT_TEMPLATE_ID } from '../reminders/reminder-templates.ts';
import { selectCohortMembersByStatus } from '../reminders/select-cohort-by-status.ts';
import { createSession, inviteToSession } from '../sessions/plan-session.ts';
import { recordAttendance } from '../sessions/record-attendance.ts';
import { authorizeCohortWork } from '../sessions/session-access.ts';
import { createUser } from '../users/create-user.ts';
import { type AuthUser, getAuthUser } from '../users/get-auth-user.ts';
import { DEMO_LOGINS } from './demo-logins.ts';
import { GENERATED_LOGIN } from './seed-demo-staff.ts';
import { inOneTransaction } from './seed-step.ts';

const DAY = 86_400_000;
const MULTIPLIER_EMAIL = DEMO_LOGINS[1].email;
const ADMIN_EMAIL = DEMO_LOGINS[3].email;

const FIRST = [
  'Anna',
  'Ben',
  'Clara',
  'David',
  'Elif',
  'Felix',
  'Greta',
  'Hannes',
  'Ida',
  'Jan',
  'Katrin',
  'Lukas',
  'Mara',
  'Niklas',
  'Olga',
  'Paul',
  'Quirin',
  'Rosa',
  'Sven',
  'Tanja',
];
const LAST = [
  'Albers',
  'Brandt',
  'Celik',
  'Dietrich',
  'Engel',
  'Fischer',
  'Günther',
  'Hoffmann',
  'Iwanow',
  'Jansen',
  'Krüger',
  'Lange',
  'Meyer',
  'Nowak',
  'Otto',
  'Peters',
  'Richter',
  'Schulz',
  'Thomsen',
  'Ulrich',
];

/** A stable number in [0, 1) from a text (so the demo's answers are the same on every machine). */
function chance(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

/** A wrong response to an item, in authored ids. */
function wrongResponse(item: QuizItem): ItemResponse {
  switch (item.type) {
    case 'single':
    case 'scenario':
      return { type: item.type, optionId: item.options.find((o) => !o.correct)?.id ?? '' };
    case 'multiple':
      return { type: 'multiple', optionIds: [item.options.find((o) => !o.correct)?.id ?? ''] };
    case 'truefalse':
      return { type: 'truefalse', value: !item.answer };
    case 'ordering':
      return { type: 'ordering', order: [...item.steps].reverse().map((s) => s.id) };
    case 'matching':
      return {
        type: 'matching',
        pairs: Object.fromEntries(item.pairs.map((p, i) => [p.id, (item.pairs[(i + 1) % item.pairs.length] as { id: string }).id])),
      };
  }
}

/** Lessons of a course, then (with `quiz`) attempts until passed or two tries: hard items are often answered wrongly. */
async function takeCourse(
  db: Db,
  user: AuthUser,
  content: ContentSet,
  courseId: string,
  at: Date,
  lessons: number,
  quiz: boolean,
): Promise<void> {
  const course = content.courses.get(courseId);
  if (!course) return;
  const ctxAt = (t: Date) => personContext(db, user, content, () => t);
  for (const [i, lesson] of course.lessons.slice(0, lessons).entries())
    await completeLesson(ctxAt(new Date(at.getTime() + i * 9 * 60_000)), courseId, lesson.id);
  const loaded = course.course.quiz ? content.quizzes.get(course.course.quiz) : undefined;
  if (!quiz || !loaded || lessons < course.lessons.length) return;
  for (let attemptNo = 0; attemptNo < 2; attemptNo++) {
    const start = new Date(at.getTime() + course.lessons.length * 9 * 60_000 + attemptNo * DAY);
    const attempt = await startAttempt(ctxAt(start), courseId);
    const layout = attempt.layout as AttemptLayout;
    let passed = false;
    for (const [i, itemId] of layout.itemIds.entries()) {
      const index = loaded.quiz.items.findIndex((x) => x.id === itemId);
      const item = loaded.quiz.items[index];
      if (!item) continue;
      // two items in every quiz are the hard ones; the second attempt comes after reading the explanations
      const hard = index % 8 === 1 || index % 8 === 4;
      const p = chance(`${user.email}|${itemId}|${attemptNo}`);
      const wrong = hard ? p < (attemptNo === 0 ? 0.65 : 0.3) : p < 0.06;
      const authored = wrong ? wrongResponse(item) : gradeItem(item, undefined).solution;
      const result = await answerItem(
        ctxAt(new Date(start.getTime() + (i + 1) * 40_000)),
        attempt.id,
        itemId,
        idTranslation(item, layout).toPublic(authored),
      );
      if (result.submitted) passed = Boolean(result.submitted.attempt.passed);
    }
    if (passed) return;
  }
}

export function seedDemoCohorts(db: Db, content: ContentSet, now = new Date()): Promise<boolean> {
  return inOneTransaction(db, (tx) => writeDemoCohorts(tx, content, now));
}

async function writeDemoCohorts(db: Db, content: ContentSet, now: Date): Promise<boolean> {
  const [tenant] = await db.select().from(tenantTable).where(eq(tenantTable.slug, 'musterstadt'));
  if (!tenant) return false;
  const existing = await db.select({ id: cohortTable.id }).from(cohortTable).where(eq(cohortTable.tenantId, tenant.id)).limit(1);
  if (existing.length > 0) return false;
  const find = async (email: string) => {
    const [row] = await db.select({ id: userTable.id }).from(userTable).where(eq(userTable.email, email));
    return row ? getAuthUser(db, row.id) : null;
  };
  const [admin, lead] = await Promise.all([find(ADMIN_EMAIL), find(MULTIPLIER_EMAIL)]);
  if (!admin || !lead) return false;
  await db
    .update(tenantTable)
    .set({ settings: { ...(tenant.settings as Record<string, unknown>), multiplierPersonViews: true } })
    .where(eq(tenantTable.id, tenant.id));
  const unitRows = await db.query.orgUnitTable.findMany({ where: (u, { eq: is }) => is(u.tenantId, tenant.id) });
  const unit = (code: string): string => unitRows.find((u) => u.code === code)?.id as string;
  // accounts from the start of the record: a few colleagues took their first course almost two years ago, so their
  // refresher is due in the next weeks
  const since = new Date(now.getTime() - 725 * DAY);
  const plan: Array<{ code: string; n: number }> = [
    { code: 'FB3-ZUL', n: 12 },
    { code: 'FB3-FS', n: 8 },
    { code: 'FB2-JA', n: 11 },
    { code: 'FB2-SA', n: 9 },
  ];
  let k = 0;
  for (const { code, n } of plan)
    for (let i = 0; i < n; i++, k++) {
      const first = FIRST[k % FIRST.length] as string;
      const last = LAST[(k * 7 + 3) % LAST.length] as string;
      const email = `${first}.${last}.${k}@musterstadt.example`.toLowerCase().replace(/ü/g, 'ue').replace(/ö/g, 'oe');
      const { id } = await createUser(
        db,
        {
          tenant: 'musterstadt',
          email,
          name: `${first} ${last}`,
          roles: ['learner'],
          jobRole: k % 6 === 0 ? 'fuehrungskraft' : 'sachbearbeitung',
          orgUnitId: unit(code),
        },
        { now: since, actorId: 'system:demo-seed' },
      );
      const user = (await getAuthUser(db, id)) as AuthUser;
      const path = k % 6 === 0 ? 'fuehrungskraft' : 'sachbearbeitung';
      const required = content.paths.get(path)?.required ?? [];
      // uneven progress: by position, a share of the colleagues is further along; the FB 3 units a little ahead
      const level = Math.floor(chance(`level|${email}`) * 7) + (code.startsWith('FB3') ? 1 : 0);
      const startDay = 20 + Math.floor(chance(`start|${email}`) * 330);
      const courses = Math.min(required.length, Math.max(0, level - 1));
      const early = courses > 0 && chance(`early|${email}`) < 0.2;
      for (const [c, courseId] of required.slice(0, courses).entries()) {
        const day = early && c === 0 ? 680 + Math.floor(chance(`early-day|${email}`) * 30) : Math.max(2, startDay - c * 12);
        await takeCourse(db, user, content, courseId, new Date(now.getTime() - day * DAY), 99, true);
      }
      // level 1: a lesson or two of the next course
      const next = required[courses];
      if (level >= 1 && next && level <= 3)
        await takeCourse(db, user, content, next, new Date(now.getTime() - 5 * DAY), 1 + (k % 2), false);
    }
  const created = new Date(now.getTime() - 200 * DAY);
  const adminAt = personContext(db, admin, content, () => created);
  const fb3 = await createCohort(adminAt, { name: 'Ordnung und Verkehr', orgUnits: [{ orgUnitId: unit('FB3'), includeSubunits: true }] });
  const fb2 = await createCohort(adminAt, { name: 'Soziales und Jugend', orgUnits: [{ orgUnitId: unit('FB2'), includeSubunits: true }] });
  await assignMultiplier(adminAt, { cohortId: fb3.id, email: MULTIPLIER_EMAIL });
  await assignMultiplier(adminAt, { cohortId: fb2.id, email: MULTIPLIER_EMAIL });
  return true;
}

/** Past sessions of each of Max's cohorts: days before now, kind, topic, content, share of the members invited and present. */
const SESSIONS: ReadonlyArray<{
  cohort: string;
  daysAgo: number;
  kind: 'praesenz' | 'workshop' | 'sprechstunde';
  topic: string;
  content: string;
  place: string;
  invite: number;
  present: number;
}> = [
  {
    cohort: 'Ordnung und Verkehr',
    daysAgo: 160,
    kind: 'praesenz',
    topic: 'Auftakt: KI-Kompetenz in der Zulassungsstelle',
    content: 'ki-kompetenz-basis',
    place: 'Kreishaus, Raum 1.12',
    invite: 0.25,
    present: 0.8,
  },
  {
    cohort: 'Ordnung und Verkehr',
    daysAgo: 95,
    kind: 'workshop',
    topic: 'Prompting für Bescheide und Auskünfte',
    content: 'prompting',
    place: 'Kreishaus, Raum 1.12',
    invite: 0.2,
    present: 0.75,
  },
  {
    cohort: 'Ordnung und Verkehr',
    daysAgo: 30,
    kind: 'sprechstunde',
    topic: 'Offene Sprechstunde: Fragen zum Lernpfad',
    content: '',
    place: 'Führerscheinstelle, Besprechungsraum',
    invite: 0.1,
    present: 0.6,
  },
  {
    cohort: 'Soziales und Jugend',
    daysAgo: 140,
    kind: 'praesenz',
    topic: 'Auftakt: KI im Jugend- und Sozialamt',
    content: 'ki-kompetenz-basis',
    place: 'Kreishaus, Saal 2',
    invite: 0.2,
    present: 0.8,
  },
  {
    cohort: 'Soziales und Jugend',
    daysAgo: 70,
    kind: 'workshop',
    topic: 'Datenschutz bei KI-Werkzeugen in der Fallarbeit',
    content: 'datenschutz',
    place: 'Jugendamt, Raum 3.04',
    invite: 0.15,
    present: 0.7,
  },
  {
    cohort: 'Soziales und Jugend',
    daysAgo: 21,
    kind: 'workshop',
    topic: 'Letztentscheidung: Wer entscheidet, wenn KI vorschlägt?',
    content: 'letztentscheidung',
    place: 'Sozialamt, Raum 0.21',
    invite: 0.15,
    present: 0.65,
  },
];

/** Reminders Max sent from each cohort's page: days before now and the statuses chosen. */
const REMINDERS: ReadonlyArray<{ daysAgo: number; statuses: Array<'not-started' | 'overdue' | 'refresher-due'> }> = [
  { daysAgo: 75, statuses: ['not-started'] },
  { daysAgo: 40, statuses: ['overdue'] },
  { daysAgo: 12, statuses: ['overdue', 'refresher-due'] },
];

/** Berlin date and time of an instant, as the session form takes them. */
function berlinDateTime(at: Date): { date: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    at,
  );
  return { date: parts, time: '09:30' };
}

/**
 * Max's past sessions (planned three weeks ahead, invited, attendance recorded the day after) and the reminders he
 * sent from his cohorts' pages, through the session and reminder verbs: facts, audit log and the mails they queue.
 * The mails belong to the past: queued ones are marked as sent at their time, so a mail server configured now does
 * not receive them. Written in one transaction (seed-step.ts); skipped when Musterstadt already has sessions.
 */
export function seedDemoSessions(db: Db, content: ContentSet, now = new Date()): Promise<boolean> {
  return inOneTransaction(db, (tx) => writeDemoSessions(tx, content, now));
}

async function writeDemoSessions(db: Db, content: ContentSet, now: Date): Promise<boolean> {
  const [tenant] = await db.select().from(tenantTable).where(eq(tenantTable.slug, 'musterstadt'));
  if (!tenant) return false;
  const existing = await db
    .select({ id: trainingSessionTable.id })
    .from(trainingSessionTable)
    .where(eq(trainingSessionTable.tenantId, tenant.id))
    .limit(1);
  if (existing.length > 0) return false;
  const [row] = await db.select({ id: userTable.id }).from(userTable).where(eq(userTable.email, MULTIPLIER_EMAIL));
  const lead = row ? await getAuthUser(db, row.id) : null;
  if (!lead) return false;
  const cohorts = await db.select().from(cohortTable).where(eq(cohortTable.tenantId, tenant.id));
  // only the generated staff are invited and reminded: the named accounts keep their hand-written history
  const generated = new Set(
    (
      await db
        .select({ id: userTable.id })
        .from(userTable)
        .where(and(eq(userTable.tenantId, tenant.id), sql`${userTable.email} GLOB ${GENERATED_LOGIN}`))
    ).map((u) => u.id),
  );
  const ago = (days: number, hours = 0) => new Date(now.getTime() - days * DAY + hours * 3_600_000);
  const as = (at: Date) => personContext(db, lead, content, () => at);
  for (const s of SESSIONS) {
    const cohort = cohorts.find((c) => c.name === s.cohort);
    if (!cohort) continue;
    const startsAt = berlinDateTime(ago(s.daysAgo));
    const planned = as(ago(s.daysAgo + 21));
    const { id } = await createSession(planned, {
      cohortId: cohort.id,
      kind: s.kind,
      topic: s.topic,
      content: s.content,
      ...startsAt,
      minutes: s.kind === 'sprechstunde' ? 60 : 120,
      place: s.place,
    });
    const { scope } = await authorizeCohortWork(planned, cohort.id);
    const members = await membersOf(planned, scope, cohort);
    const invited = members.map((m) => m.userId).filter((u) => generated.has(u) && chance(`invite|${s.topic}|${u}`) < s.invite);
    if (invited.length === 0) continue;
    await inviteToSession(planned, { sessionId: id, userIds: invited });
    const present = invited.filter((u) => chance(`present|${s.topic}|${u}`) < s.present);
    if (present.length > 0) await recordAttendance(as(ago(s.daysAgo - 1)), { sessionId: id, userIds: present });
  }
  for (const cohort of cohorts)
    for (const [i, r] of REMINDERS.entries()) {
      const at = as(ago(r.daysAgo, -6));
      const userIds = (await selectCohortMembersByStatus(at, cohort.id, r.statuses)).filter((u) => generated.has(u));
      if (userIds.length === 0) continue;
      await sendCohortReminders(at, cohort.id, {
        audience: { userIds },
        templateId: DEFAULT_TEMPLATE_ID,
        sendKey: `demo-${cohort.id.slice(0, 8)}-${i}`,
      });
    }
  // the history's mails went out back then (without a mail server they are in the outbox already)
  await db
    .update(mailMessageTable)
    .set({ status: 'sent', attempts: 1, sentAt: sql`${mailMessageTable.createdAt} + 30000` })
    .where(and(eq(mailMessageTable.tenantId, tenant.id), eq(mailMessageTable.status, 'queued'), lte(mailMessageTable.createdAt, ago(1))));
  return true;
}
