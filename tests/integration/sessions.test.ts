/**
 * In-person sessions of the multiplier programme: planning (create, change, cancel) with invitation mails and their
 * calendar file through a real SMTP server, attendance as facts of the learning record (effective at the session,
 * recorded later), completion "in Präsenz" with its certificate where the path allows it (also switched off by a
 * district overlay), "as of T, recorded by R", the learner's view — and every refusal: other district, other
 * multiplier's cohort, person outside the cohort, tampered id.
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  auditEventTable,
  certificateTable,
  courseCompletionTable,
  learningEventTable,
  mailMessageTable,
  trainingSessionInvitationTable,
  trainingSessionTable,
} from '../../db/schema/index.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { assignMultiplier } from '../../src/lib/server/cohorts/cohort-multipliers.ts';
import { createCohort } from '../../src/lib/server/cohorts/create-cohort.ts';
import { loadContent } from '../../src/lib/server/content/load-content.ts';
import { type Ctx, personContext } from '../../src/lib/server/context.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../src/lib/server/errors/domain-errors.ts';
import { archiveContent } from '../../src/lib/server/evidence/content-archive.ts';
import { getStatusAsOf } from '../../src/lib/server/evidence/status-as-of.ts';
import { getLearningHistory } from '../../src/lib/server/learning/get-history.ts';
import { deliverQueuedMail } from '../../src/lib/server/mail/deliver-mail.ts';
import { exportOwnData } from '../../src/lib/server/privacy/export-own-data.ts';
import { cascadeFigures, getCohortCascade, getDistrictCascade } from '../../src/lib/server/sessions/cascade.ts';
import { getMyUpcomingSessions, getSessionDetail, listCohortSessions } from '../../src/lib/server/sessions/list-sessions.ts';
import { cancelSession, changeSession, createSession, inviteToSession } from '../../src/lib/server/sessions/plan-session.ts';
import { recordAttendance } from '../../src/lib/server/sessions/record-attendance.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { berlinDateAndTime } from '../../src/lib/shared/dates.ts';
import { FIXTURE_OVERLAY, FIXTURE_ROOT, fixtureContent } from '../setup/content-fixture.ts';
import { auditEventsAbout, makeTenant, makeUser } from '../setup/factories.ts';
import { startTestSmtp, type TestSmtp } from '../setup/smtp-server.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
const FROM = 'KIKO Test <kiko@landkreis.example>';
const HOUR = 3_600_000;
let t: TestDb;
let smtp: TestSmtp;
let base: number;
let home: Awaited<ReturnType<typeof makeTenant>>;
let admin: AuthUser;
let hr: AuthUser;
let lead: AuthUser;
let otherLead: AuthUser;
let foreignAdmin: AuthUser;
let inA: AuthUser[];
let chief: AuthUser;
let outsider: AuthUser;
let cohortId: string;
let otherCohortId: string;

const at = (hours: number): Date => new Date(base + hours * HOUR);
const as = (u: AuthUser, hours = 0, set = content): Ctx => personContext(t.db, u, set, () => at(hours));
const tampered = (id: string): string => `${id.slice(0, -1)}${id.endsWith('0') ? '1' : '0'}`;
const when = (hours: number) => berlinDateAndTime(at(hours));
const fields = (hours: number, extra: Record<string, unknown> = {}) => ({
  kind: 'workshop' as const,
  topic: 'Gute Prompts im Bürgerbüro',
  ...when(hours),
  minutes: 90,
  place: 'Kreishaus, Raum 2.14',
  ...extra,
});

async function deliver(): Promise<ParsedMail[]> {
  const before = smtp.received.length;
  // the mails are queued at the test clock's time, which runs ahead of the wall clock
  const r = await deliverQueuedMail(t.db, { smtpUrl: smtp.url, from: FROM, now: at(1000), log: () => {} });
  if (r.sent > 0) await smtp.waitFor(before + r.sent);
  return smtp.received.slice(before);
}

/** The calendar file of a received mail, unfolded (RFC 5545 3.1) into "NAME;params:value" lines. */
function calendarOf(mail: ParsedMail): { type: string; lines: string[] } {
  const file = mail.attachments.find((a) => a.filename === 'termin.ics');
  if (!file) throw new Error('no calendar file');
  const text = file.content.toString('utf8').replace(/\r\n[ \t]/g, '');
  return { type: file.contentType, lines: text.split('\r\n').filter(Boolean) };
}
const prop = (lines: string[], name: string): string | undefined =>
  lines.find((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`))?.replace(/^[^:]*:/, '');

beforeAll(async () => {
  smtp = await startTestSmtp();
  process.env.KIKO_SMTP_URL = smtp.url;
  process.env.KIKO_MAIL_FROM = FROM;
  t = await createTestDb();
  configureCertificateIssuing({ keyDir: join(t.dir, 'keys') });
  await archiveContent(t.db, content);
  base = Date.now() + 60_000;
  home = await makeTenant(t.db);
  const other = await makeTenant(t.db);
  admin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
  hr = await makeUser(t.db, { tenant: home.slug, roles: ['hr'] });
  lead = await makeUser(t.db, { tenant: home.slug, roles: ['multiplier'], name: 'Max Leitung' });
  otherLead = await makeUser(t.db, { tenant: home.slug, roles: ['multiplier'] });
  foreignAdmin = await makeUser(t.db, { tenant: other.slug, roles: ['admin'] });
  inA = [];
  for (const name of ['Anna Auer', 'Bernd Bauer', 'Clara Conrad'])
    inA.push(await makeUser(t.db, { tenant: home.slug, name, orgUnitId: home.orgUnitIds.get('A') }));
  chief = await makeUser(t.db, { tenant: home.slug, name: 'Chefin Fuchs', jobRole: 'fuehrungskraft', orgUnitId: home.orgUnitIds.get('A') });
  outsider = await makeUser(t.db, { tenant: home.slug, name: 'Otto Außen', orgUnitId: home.orgUnitIds.get('B') });
  const adminCtx = personContext(t.db, admin, content);
  cohortId = (
    await createCohort(adminCtx, { name: 'Amt A', orgUnits: [{ orgUnitId: home.orgUnitIds.get('A') ?? '', includeSubunits: false }] })
  ).id;
  await assignMultiplier(adminCtx, { cohortId, email: lead.email });
  otherCohortId = (
    await createCohort(adminCtx, { name: 'Amt B', orgUnits: [{ orgUnitId: home.orgUnitIds.get('B') ?? '', includeSubunits: false }] })
  ).id;
  await assignMultiplier(adminCtx, { cohortId: otherCohortId, email: otherLead.email });
}, 60_000);
afterAll(async () => {
  await smtp.close();
  t.cleanup();
});

describe('createSession', () => {
  test('creates a session of the own cohort led by the multiplier, listed with its content link', async () => {
    const { id } = await createSession(as(lead), { cohortId, ...fields(24), content: 'probe-kurs' });
    const list = await listCohortSessions(as(lead), cohortId);
    const s = list.sessions.find((x) => x.session.id === id);
    expect(s?.state).toBe('upcoming');
    expect(s?.leads).toEqual(['Max Leitung']);
    expect(s?.contentTitle).toBe(content.courses.get('probe-kurs')?.course.title);
    expect(s?.session.startsAt.getTime()).toBe(Math.floor(at(24).getTime() / 60_000) * 60_000);
    expect(await t.db.select().from(auditEventTable).where(eq(auditEventTable.type, 'session.created'))).toHaveLength(1);
  });
  test('lets the admin create one for any cohort of the district', async () => {
    const { id } = await createSession(as(admin), {
      cohortId: otherCohortId,
      ...fields(30),
      kind: 'sprechstunde',
      onlineUrl: 'https://meet.landkreis.example/ki',
    });
    expect((await listCohortSessions(as(otherLead), otherCohortId)).sessions.map((s) => s.session.id)).toContain(id);
  });
  test('refuses bad input with a German message and writes nothing', async () => {
    const before = (await t.db.select().from(trainingSessionTable)).length;
    await expect(createSession(as(lead), { cohortId, ...fields(24), place: '' })).rejects.toThrow(
      'Bitte einen Ort oder einen Online-Link angeben.',
    );
    await expect(createSession(as(lead), { cohortId, ...fields(24), date: '2026-02-30' })).rejects.toThrow(ValidationError);
    await expect(createSession(as(lead), { cohortId, ...fields(24), content: 'probe-kurs/gibt-es-nicht' })).rejects.toThrow(
      'Diesen Kurs oder diese Lektion gibt es nicht',
    );
    await expect(createSession(as(lead), { cohortId, ...fields(24), onlineUrl: 'javascript:alert(1)' })).rejects.toThrow('https://');
    await expect(createSession(as(lead), { cohortId, ...fields(24), minutes: 5 })).rejects.toThrow('mindestens 15 Minuten');
    await expect(createSession(as(lead), { cohortId, ...fields(24), multipliers: [otherLead.id] })).rejects.toThrow('Leiten können nur');
    expect((await t.db.select().from(trainingSessionTable)).length).toBe(before);
  });
  test("refuses another multiplier's cohort, another district and tampered ids as not found; learners and HR are forbidden", async () => {
    await expect(createSession(as(otherLead), { cohortId, ...fields(24) })).rejects.toThrow(NotFoundError);
    await expect(createSession(as(foreignAdmin), { cohortId, ...fields(24) })).rejects.toThrow(NotFoundError);
    await expect(createSession(as(lead), { cohortId: tampered(cohortId), ...fields(24) })).rejects.toThrow(NotFoundError);
    await expect(listCohortSessions(as(otherLead), cohortId)).rejects.toThrow(NotFoundError);
    await expect(createSession(as(inA[0] as AuthUser), { cohortId, ...fields(24) })).rejects.toThrow(ForbiddenError);
    await expect(createSession(as(hr), { cohortId, ...fields(24) })).rejects.toThrow(ForbiddenError);
  });
});

describe('inviteToSession, changeSession, cancelSession', () => {
  let sessionId: string;
  beforeAll(async () => {
    sessionId = (await createSession(as(lead), { cohortId, ...fields(48), topic: 'KI im Bürgerbüro & Co.' })).id;
  });
  test('invites colleagues of the cohort: each gets a mail with a calendar file through SMTP', async () => {
    const r = await inviteToSession(as(lead), { sessionId, userIds: inA.map((u) => u.id) });
    expect(r.invited).toBe(3);
    const mails = await deliver();
    expect(mails.map((m) => (m.to && 'value' in m.to ? m.to.value[0]?.address : '')).sort()).toEqual(inA.map((u) => u.email).sort());
    const mail = mails[0] as ParsedMail;
    expect(mail.subject).toMatch(/^Einladung: Workshop am /);
    expect(mail.text).toContain('KI im Bürgerbüro & Co.');
    expect(mail.text).toContain('Kreishaus, Raum 2.14');
    const cal = calendarOf(mail);
    expect(cal.type).toBe('text/calendar');
    expect(cal.lines[0]).toBe('BEGIN:VCALENDAR');
    expect(prop(cal.lines, 'METHOD')).toBe('REQUEST');
    expect(prop(cal.lines, 'UID')).toBe(`${sessionId}@kiko.termine`);
    expect(prop(cal.lines, 'SEQUENCE')).toBe('0');
    const start = at(48);
    const stamp = `${start.toISOString().slice(0, 16).replace(/[-:]/g, '')}00Z`;
    expect(prop(cal.lines, 'DTSTART')).toBe(stamp);
    expect(prop(cal.lines, 'DURATION')).toBe('PT90M');
    expect(prop(cal.lines, 'SUMMARY')).toBe('Workshop: KI im Bürgerbüro & Co.');
    expect(prop(cal.lines, 'ORGANIZER')?.toLowerCase()).toBe(`mailto:${lead.email}`);
    expect(cal.lines.at(-1)).toBe('END:VCALENDAR');
  });
  test('inviting the same people again sends nothing', async () => {
    expect((await inviteToSession(as(lead), { sessionId, userIds: [inA[0]?.id ?? ''] })).invited).toBe(0);
    expect(await deliver()).toEqual([]);
  });
  test('refuses a person outside the cohort with a German message; nobody is invited', async () => {
    await expect(inviteToSession(as(lead), { sessionId, userIds: [chief.id, outsider.id] })).rejects.toThrow(
      'Eine der gewählten Personen gehört nicht zur Kohorte dieses Termins.',
    );
    const rows = await t.db.select().from(trainingSessionInvitationTable).where(eq(trainingSessionInvitationTable.sessionId, sessionId));
    expect(rows.map((r) => r.userId)).not.toContain(chief.id);
  });
  test('a change tells everyone invited, with SEQUENCE 1 and the new time', async () => {
    const r = await changeSession(as(lead), {
      sessionId,
      ...fields(50, { topic: 'KI im Bürgerbüro & Co.', place: 'Kreishaus, Raum 1.01' }),
    });
    expect(r.notified).toBe(3);
    const mails = await deliver();
    expect(mails).toHaveLength(3);
    expect(mails[0]?.subject).toMatch(/^Geänderter Termin/);
    const cal = calendarOf(mails[0] as ParsedMail);
    expect(prop(cal.lines, 'SEQUENCE')).toBe('1');
    expect(prop(cal.lines, 'LOCATION')).toBe('Kreishaus\\, Raum 1.01');
  });
  test('a cancellation sends METHOD:CANCEL with the same UID', async () => {
    await cancelSession(as(lead), sessionId);
    const mails = await deliver();
    expect(mails).toHaveLength(3);
    const cal = calendarOf(mails[0] as ParsedMail);
    expect(prop(cal.lines, 'METHOD')).toBe('CANCEL');
    expect(prop(cal.lines, 'STATUS')).toBe('CANCELLED');
    expect(prop(cal.lines, 'UID')).toBe(`${sessionId}@kiko.termine`);
    await expect(inviteToSession(as(lead), { sessionId, userIds: [inA[0]?.id ?? ''] })).rejects.toThrow(ConflictError);
  });
  test("refuses another multiplier's, another district's and a tampered session as not found", async () => {
    await expect(getSessionDetail(as(otherLead), sessionId)).rejects.toThrow(NotFoundError);
    await expect(getSessionDetail(as(foreignAdmin), sessionId)).rejects.toThrow(NotFoundError);
    await expect(getSessionDetail(as(lead), tampered(sessionId))).rejects.toThrow(NotFoundError);
    await expect(cancelSession(as(otherLead), sessionId)).rejects.toThrow(NotFoundError);
    await expect(inviteToSession(as(foreignAdmin), { sessionId, userIds: [inA[0]?.id ?? ''] })).rejects.toThrow(NotFoundError);
    expect((await getSessionDetail(as(admin), sessionId)).people).toHaveLength(3);
  });
});

describe('recordAttendance', () => {
  let courseSession: string;
  let lessonSession: string;
  beforeAll(async () => {
    // a session on the course without quiz, and one on the first lesson of the course with quiz
    courseSession = (await createSession(as(lead, 0), { cohortId, ...fields(1), content: 'ohne-quiz' })).id;
    const lesson = content.courses.get('probe-kurs')?.lessons[0]?.id;
    lessonSession = (await createSession(as(lead, 0), { cohortId, ...fields(2), content: `probe-kurs/${lesson}` })).id;
  });
  test('refuses attendance before the session began, and for a person outside the cohort (nothing written)', async () => {
    await expect(recordAttendance(as(lead, 0.5), { sessionId: courseSession, userIds: [inA[0]?.id ?? ''] })).rejects.toThrow(
      'erst ab Beginn',
    );
    await expect(recordAttendance(as(lead, 5), { sessionId: courseSession, userIds: [inA[0]?.id ?? '', outsider.id] })).rejects.toThrow(
      'Eine der gewählten Personen gehört nicht zur Kohorte dieses Termins. Anwesenheit lässt sich nur für Personen der Kohorte erfassen',
    );
    const facts = await t.db
      .select()
      .from(learningEventTable)
      .where(and(eq(learningEventTable.type, 'session.attended'), eq(learningEventTable.ref, courseSession)));
    expect(facts).toEqual([]);
    await expect(recordAttendance(as(otherLead, 5), { sessionId: courseSession, userIds: [inA[0]?.id ?? ''] })).rejects.toThrow(
      NotFoundError,
    );
    await expect(recordAttendance(as(foreignAdmin, 5), { sessionId: courseSession, userIds: [inA[0]?.id ?? ''] })).rejects.toThrow(
      NotFoundError,
    );
    await expect(recordAttendance(as(lead, 5), { sessionId: tampered(courseSession), userIds: [inA[0]?.id ?? ''] })).rejects.toThrow(
      NotFoundError,
    );
  });
  test('records attendance effective at the session, recorded later, with an audit entry; completes the course in person with its certificate', async () => {
    const r = await recordAttendance(as(lead, 5), { sessionId: courseSession, userIds: [inA[0]?.id ?? '', inA[1]?.id ?? '', chief.id] });
    expect(r.recorded).toBe(3);
    // Anna and Bernd (standard path: in-person completion on); the chief's path does not allow it
    expect(r.completions).toBe(2);
    const facts = await t.db
      .select()
      .from(learningEventTable)
      .where(and(eq(learningEventTable.type, 'session.attended'), eq(learningEventTable.ref, courseSession)));
    expect(facts).toHaveLength(3);
    const [session] = await t.db.select().from(trainingSessionTable).where(eq(trainingSessionTable.id, courseSession));
    for (const f of facts) {
      expect(f.effectiveAt.getTime()).toBe(session?.startsAt.getTime());
      expect(f.recordedAt.getTime()).toBe(at(5).getTime());
    }
    expect((await auditEventsAbout(t.db, inA[0]?.id ?? '')).some((e) => e.type === 'session.attended')).toBe(true);
    const completions = await t.db.select().from(courseCompletionTable).where(eq(courseCompletionTable.courseId, 'ohne-quiz'));
    expect(completions.map((c) => [c.userId, c.how, c.completedAt.getTime()]).sort()).toEqual(
      [inA[0]?.id, inA[1]?.id].sort().map((id) => [id, 'in-person', session?.startsAt.getTime()]),
    );
    const certs = await t.db
      .select()
      .from(certificateTable)
      .where(eq(certificateTable.userId, inA[0]?.id ?? ''));
    expect(certs.length).toBeGreaterThan(0);
    expect(await t.db.select().from(certificateTable).where(eq(certificateTable.userId, chief.id))).toEqual([]);
  });
  test('recording the same people again writes nothing', async () => {
    const r = await recordAttendance(as(lead, 6), { sessionId: courseSession, userIds: [inA[0]?.id ?? ''] });
    expect(r).toEqual({ recorded: 0, completions: 0 });
  });
  test('as of a past date: the late entry counts only with a later recording cut-off', async () => {
    const userIds = [inA[0]?.id ?? ''];
    const before = await getStatusAsOf(as(hr, 6), { asOf: at(3), recordedBy: at(4), userIds });
    const after = await getStatusAsOf(as(hr, 6), { asOf: at(3), recordedBy: at(5.5), userIds });
    const state = (s: typeof before) => s.people[0]?.courses.find((c) => c.courseId === 'ohne-quiz');
    expect(state(before)?.completedAt).toBeNull();
    expect(state(after)?.completedHow).toBe('in-person');
    // and never before the session took place
    expect(state(await getStatusAsOf(as(hr, 6), { asOf: at(0.5), recordedBy: at(5.5), userIds }))?.completedAt).toBeNull();
  });
  test('a lesson-linked session marks the lesson done in person', async () => {
    const r = await recordAttendance(as(lead, 5), { sessionId: lessonSession, userIds: [inA[2]?.id ?? ''] });
    expect(r).toEqual({ recorded: 1, completions: 1 });
    const [fact] = await t.db
      .select()
      .from(learningEventTable)
      .where(and(eq(learningEventTable.type, 'lesson.completed'), eq(learningEventTable.userId, inA[2]?.id ?? '')));
    expect(fact?.how).toBe('in-person');
    expect(fact?.subject).toBe('probe-kurs');
  });
  test('a district overlay that switches in-person completion off is obeyed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiko-overlay-'));
    cpSync(FIXTURE_OVERLAY, dir, { recursive: true });
    mkdirSync(join(dir, 'content', 'paths'), { recursive: true });
    writeFileSync(
      join(dir, 'content', 'paths', 'standard.yaml'),
      'id: standard\ntitle: Standardpfad\nsummary: Pfad für alle im Test.\njobRoles: [alle, sachbearbeitung]\nrequired: [probe-kurs]\noptional: [ohne-quiz]\ndueDays: 30\nrefresherMonths: 12\ninPersonCompletion: false\n',
      { flag: 'w' },
    );
    const overlaid = loadContent({ root: FIXTURE_ROOT, overlay: dir });
    expect(overlaid.paths.get('standard')?.inPersonCompletion).toBe(false);
    const s = (await createSession(as(lead, 0, overlaid), { cohortId, ...fields(1), content: 'ohne-quiz' })).id;
    const r = await recordAttendance(as(lead, 5, overlaid), { sessionId: s, userIds: [inA[2]?.id ?? ''] });
    expect(r).toEqual({ recorded: 1, completions: 0 });
  });
  test('the learner sees attended sessions in the history and the upcoming sessions of the cohort', async () => {
    const history = await getLearningHistory(as(inA[0] as AuthUser, 6));
    const entry = history.entries.find((e) => e.type === 'session.attended');
    expect(entry?.title).toBe('Gute Prompts im Bürgerbüro');
    const coming = (await createSession(as(lead, 6), { cohortId, ...fields(200), topic: 'Sprechstunde Datenschutz', kind: 'sprechstunde' }))
      .id;
    await inviteToSession(as(lead, 6), { sessionId: coming, userIds: [inA[0]?.id ?? ''] });
    const upcoming = await getMyUpcomingSessions(as(inA[0] as AuthUser, 6));
    expect(upcoming.find((u) => u.id === coming)).toMatchObject({
      topic: 'Sprechstunde Datenschutz',
      invited: true,
      leads: ['Max Leitung'],
    });
    expect((await getMyUpcomingSessions(as(inA[1] as AuthUser, 6))).find((u) => u.id === coming)?.invited).toBe(false);
    // a colleague of another cohort does not see it
    expect((await getMyUpcomingSessions(as(outsider, 6))).map((u) => u.id)).not.toContain(coming);
    // the invitation is part of the person's own data (GDPR Art. 15), and only of hers
    const mine = await exportOwnData(as(inA[0] as AuthUser, 6));
    expect(mine.sessionInvitations.find((i) => i.sessionId === coming)).toMatchObject({ kind: 'sprechstunde', cancelledAt: null });
    expect((await exportOwnData(as(inA[1] as AuthUser, 6))).sessionInvitations.map((i) => i.sessionId)).not.toContain(coming);
  });
  test('attendance cannot be changed away: a session with attendance is neither moved nor cancelled', async () => {
    await expect(cancelSession(as(lead, 6), courseSession)).rejects.toThrow(ConflictError);
    expect((await t.db.select().from(mailMessageTable).where(eq(mailMessageTable.template, 'session-cancellation'))).length).toBe(3);
  });
});

describe('the cascade', () => {
  test('per multiplier of a cohort: sessions held, hours, colleagues reached; small groups are not compared', async () => {
    const c = await getCohortCascade(as(lead, 6), cohortId);
    // three sessions of 90 minutes have taken place by hour 6 (the cancelled one and those still to come do not count)
    expect(c.total).toMatchObject({ sessionsHeld: 3, hours: 4.5, reached: 4, notReached: 0 });
    expect(c.rows.map((r) => r.name)).toEqual(['Max Leitung']);
    expect(c.total.reachedCompletedPercent).toBeNull();
    await expect(getCohortCascade(as(otherLead, 6), cohortId)).rejects.toThrow(NotFoundError);
    await expect(getCohortCascade(as(lead, 6), tampered(cohortId))).rejects.toThrow(NotFoundError);
  });
  test('HR sees all multipliers of the district; another role or district does not', async () => {
    const c = await getDistrictCascade(as(hr, 6));
    expect(c.total.sessionsHeld).toBe(3);
    expect(c.total.reached).toBe(4);
    expect(c.total.reachedCompletedPercent).toBeNull();
    await expect(getDistrictCascade(as(lead, 6))).rejects.toThrow(ForbiddenError);
    await expect(getDistrictCascade(as(foreignAdmin, 6))).rejects.toThrow(ForbiddenError);
  });
  test('compares completion of the reached and the others once both groups reach the minimum', () => {
    const people = Array.from({ length: 16 }, (_, i) => `p${i}`);
    // p0–p5 reached (p0–p2 completed), p6–p15 not (p6, p7 completed)
    const completed = new Map(people.map((p, i) => [p, i < 3 || i === 6 || i === 7]));
    const input = {
      sessions: [
        { id: 's1', minutes: 120, leads: ['m1'], held: true },
        { id: 's2', minutes: 60, leads: ['m1', 'm2'], held: true },
        { id: 's3', minutes: 60, leads: ['m2'], held: false },
      ],
      attendees: new Map([
        ['s1', new Set(['p0', 'p1', 'p2', 'p3'])],
        ['s2', new Set(['p3', 'p4', 'p5', 'fremd'])],
      ]),
      completed,
      names: new Map([
        ['m1', 'Anna Multi'],
        ['m2', 'Bert Multi'],
      ]),
      minGroupSize: 5,
    };
    const c = cascadeFigures(input);
    expect(c.total).toMatchObject({
      sessionsHeld: 2,
      hours: 3,
      reached: 6,
      notReached: 10,
      reachedCompletedPercent: 50,
      notReachedCompletedPercent: 20,
    });
    expect(c.rows.find((r) => r.name === 'Anna Multi')).toMatchObject({ sessionsHeld: 2, reached: 6 });
    // Bert reached 3 (fewer than 5): no comparison for him
    expect(c.rows.find((r) => r.name === 'Bert Multi')).toMatchObject({
      sessionsHeld: 1,
      hours: 1,
      reached: 3,
      reachedCompletedPercent: null,
      notReachedCompletedPercent: null,
    });
    expect(cascadeFigures({ ...input, minGroupSize: 7 }).total.reachedCompletedPercent).toBeNull();
  });
});
