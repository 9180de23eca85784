/**
 * Reminders from a multiplier's cohort page: selection by status among the current members of ONE cohort (the one
 * status rule), the preview with and without person-level views (never a name without them), sending through a real
 * SMTP server on loopback once per send key, the cohort's log — and refusals (another multiplier's cohort, another
 * district, a person outside the cohort, an ended cohort, an invalid template) that send nothing.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mailMessageTable, reminderLogTable, reminderTemplateTable, tenantTable } from '../../db/schema/index.ts';
import { assignMultiplier } from '../../src/lib/server/cohorts/cohort-multipliers.ts';
import { createCohort } from '../../src/lib/server/cohorts/create-cohort.ts';
import { endCohort } from '../../src/lib/server/cohorts/end-cohort.ts';
import { type Ctx, personContext } from '../../src/lib/server/context.ts';
import { completeCourseWithAnswerKey } from '../../src/lib/server/demo/seed-demo-learning.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/lib/server/errors/domain-errors.ts';
import { archiveContent } from '../../src/lib/server/evidence/content-archive.ts';
import { deliverQueuedMail } from '../../src/lib/server/mail/deliver-mail.ts';
import { getCohortReminderLog } from '../../src/lib/server/reminders/cohort-reminder-log.ts';
import { getCohortReminderBatch, previewCohortReminders, sendCohortReminders } from '../../src/lib/server/reminders/cohort-reminders.ts';
import { selectCohortMembersByStatus } from '../../src/lib/server/reminders/select-cohort-by-status.ts';
import { ensureTenant } from '../../src/lib/server/tenancy/create-tenant.ts';
import { changeMembership } from '../../src/lib/server/users/change-membership.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { startTestSmtp, type TestSmtp } from '../setup/smtp-server.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
const FROM = 'KIKO <kiko@landkreis.example>';
const DAY = 86_400_000;
let t: TestDb;
let smtp: TestSmtp;
let base: number;
let slug: string;
let tenantId: string;
let units: Map<string, string>;
let admin: AuthUser;
let lead: AuthUser;
let otherLead: AuthUser;
let foreignLead: AuthUser;
/** Cohort "Amt A" (lead): Anna, Bernd, Carl in A; Carl completed the course on day 0; Emil moves from A to B on day 2. */
let cohortA: string;
/** Cohort "Amt B" (lead as well): Dora in B. */
let cohortB: string;
/** Cohort of otherLead: Amt A too. */
let otherCohort: string;
let foreignCohort: string;
let anna: AuthUser;
let bernd: AuthUser;
let carl: AuthUser;
let dora: AuthUser;
let emil: AuthUser;

const at = (days: number): Date => new Date(base + days * DAY);
const as = (u: AuthUser, day: number): Ctx => personContext(t.db, u, content, () => at(day));
const idsOf = (list: AuthUser[]): string[] => list.map((u) => u.id).sort();
const sendKey = (): string => randomUUID();

async function deliver(day: number): Promise<ParsedMail[]> {
  const before = smtp.received.length;
  const r = await deliverQueuedMail(t.db, { smtpUrl: smtp.url, from: FROM, log: () => {}, now: at(day) });
  return r.sent ? (await smtp.waitFor(before + r.sent)).slice(before) : [];
}

async function setPersonViews(on: boolean): Promise<void> {
  await t.db
    .update(tenantTable)
    .set({ settings: { multiplierPersonViews: on } })
    .where(eq(tenantTable.id, tenantId));
}

const mailCount = async (): Promise<number> => (await t.db.select().from(mailMessageTable)).length;
const logCount = async (): Promise<number> => (await t.db.select().from(reminderLogTable)).length;

beforeAll(async () => {
  smtp = await startTestSmtp();
  process.env.KIKO_SMTP_URL = smtp.url;
  process.env.KIKO_MAIL_FROM = FROM;
  t = await createTestDb();
  base = Date.now() + 60_000;
  await archiveContent(t.db, content, new Date(base - 1000));
  slug = `lk-${randomUUID().slice(0, 8)}`;
  const tenant = await ensureTenant(t.db, { slug, name: 'Landkreis Erinnerung' }, [
    { code: 'A', name: 'Amt A' },
    { code: 'B', name: 'Amt B' },
  ]);
  tenantId = tenant.id;
  units = tenant.orgUnitIds;
  await setPersonViews(true);
  admin = await makeUser(t.db, { tenant: slug, roles: ['admin'] });
  lead = await makeUser(t.db, { tenant: slug, roles: ['learner', 'multiplier'], name: 'Mia Multi' });
  otherLead = await makeUser(t.db, { tenant: slug, roles: ['learner', 'multiplier'], name: 'Otto Anders' });
  const inUnit = (name: string, code: string) => makeUser(t.db, { tenant: slug, name, orgUnitId: units.get(code) });
  anna = await inUnit('Anna Auer', 'A');
  bernd = await inUnit('Bernd Bauer', 'A');
  carl = await inUnit('Carl Conrad', 'A');
  emil = await inUnit('Emil Engel', 'A');
  dora = await inUnit('Dora Dorn', 'B');
  cohortA = (await createCohort(as(admin, 0), { name: 'Amt A', orgUnits: [{ orgUnitId: units.get('A') as string }] })).id;
  cohortB = (await createCohort(as(admin, 0), { name: 'Amt B', orgUnits: [{ orgUnitId: units.get('B') as string }] })).id;
  otherCohort = (await createCohort(as(admin, 0), { name: 'Amt A (Otto)', orgUnits: [{ orgUnitId: units.get('A') as string }] })).id;
  await assignMultiplier(as(admin, 0), { cohortId: cohortA, email: lead.email });
  await assignMultiplier(as(admin, 0), { cohortId: cohortB, email: lead.email });
  await assignMultiplier(as(admin, 0), { cohortId: otherCohort, email: otherLead.email });
  const other = await makeTenant(t.db);
  const foreignAdmin = await makeUser(t.db, { tenant: other.slug, roles: ['admin'] });
  foreignLead = await makeUser(t.db, { tenant: other.slug, roles: ['multiplier'] });
  foreignCohort = (
    await createCohort(as(foreignAdmin, 0), { name: 'Fremd', orgUnits: [{ orgUnitId: other.orgUnitIds.get('A') as string }] })
  ).id;
  await assignMultiplier(as(foreignAdmin, 0), { cohortId: foreignCohort, email: foreignLead.email });
  await completeCourseWithAnswerKey(t.db, carl, content, 'probe-kurs', at(0));
  await changeMembership(as(admin, 2), { userId: emil.id, orgUnitId: units.get('B') as string });
});
afterAll(async () => {
  await smtp.close();
  t.cleanup();
});

describe('selectCohortMembersByStatus', () => {
  test('returns the current members of this cohort with the status, nobody of the multiplier’s other cohort', async () => {
    // day 3: the path is due on day 30; Carl has completed, Emil has moved to Amt B
    expect((await selectCohortMembersByStatus(as(lead, 3), cohortA, ['not-started'])).sort()).toEqual(idsOf([anna, bernd]));
    expect(await selectCohortMembersByStatus(as(lead, 3), cohortA, ['overdue', 'refresher-due'])).toEqual([]);
    expect((await selectCohortMembersByStatus(as(lead, 3), cohortB, ['not-started'])).sort()).toEqual(idsOf([dora, emil]));
    // day 340: the path is overdue for those who did nothing, Carl's completion expires within 60 days
    expect((await selectCohortMembersByStatus(as(lead, 340), cohortA, ['overdue'])).sort()).toEqual(idsOf([anna, bernd]));
    expect(await selectCohortMembersByStatus(as(lead, 340), cohortA, ['refresher-due'])).toEqual([carl.id]);
  });

  test('refuses another multiplier’s cohort and another district’s as not found, learners as forbidden', async () => {
    await expect(selectCohortMembersByStatus(as(lead, 3), otherCohort, ['not-started'])).rejects.toBeInstanceOf(NotFoundError);
    await expect(selectCohortMembersByStatus(as(lead, 3), foreignCohort, ['not-started'])).rejects.toBeInstanceOf(NotFoundError);
    await expect(selectCohortMembersByStatus(as(foreignLead, 3), cohortA, ['not-started'])).rejects.toBeInstanceOf(NotFoundError);
    await expect(selectCohortMembersByStatus(as(anna, 3), cohortA, ['not-started'])).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('previewCohortReminders', () => {
  test('names the people and fills the e-mail where person-level views are on; sends nothing', async () => {
    const p = await previewCohortReminders(as(lead, 340), cohortA, {
      audience: { statuses: ['overdue', 'refresher-due'] },
      templateId: 'standard',
    });
    expect(p).toMatchObject({ personViews: true, total: 3, due: 3, coolDown: 0, nothingOpen: 0 });
    expect(p.people.map((x) => x.name).sort()).toEqual(['Anna Auer', 'Bernd Bauer', 'Carl Conrad']);
    expect(p.sample?.body).toMatch(/^Guten Tag (Anna Auer|Bernd Bauer|Carl Conrad),/);
    expect(p.sample?.subject).toBe('Erinnerung: Probekurs für Tests in KIKO');
    const picked = await previewCohortReminders(as(lead, 340), cohortA, { audience: { userIds: [anna.id] }, templateId: 'standard' });
    expect(picked.people.map((x) => x.name)).toEqual(['Anna Auer']);
    expect(await logCount()).toBe(0);
  });

  test('without person-level views: counts and the e-mail with the fields named, no name; picking people is refused', async () => {
    await setPersonViews(false);
    try {
      const p = await previewCohortReminders(as(lead, 340), cohortA, { audience: { statuses: ['overdue'] }, templateId: 'standard' });
      expect(p).toMatchObject({ personViews: false, total: 2, due: 2, people: [] });
      expect(p.sample?.body).toContain('Guten Tag [Name],');
      expect(p.sample?.body).toContain('[Fälligkeitsdatum]');
      const text = JSON.stringify(p);
      for (const u of [anna, bernd, carl]) {
        expect(text).not.toContain(u.name);
        expect(text).not.toContain(u.email);
        expect(text).not.toContain(u.id);
      }
      await expect(
        previewCohortReminders(as(lead, 340), cohortA, { audience: { userIds: [anna.id] }, templateId: 'standard' }),
      ).rejects.toThrow(/Einzelne Personen können Sie nur auswählen/);
      const log = await getCohortReminderLog(as(lead, 340), cohortA);
      expect(log.entries).toEqual([]);
    } finally {
      await setPersonViews(true);
    }
  });
});

describe('sendCohortReminders', () => {
  test('sends to the chosen status once per key through SMTP; the log shows who, when, which template and delivery', async () => {
    const key = sendKey();
    const input = { audience: { statuses: ['overdue', 'refresher-due'] as const }, templateId: 'standard', sendKey: key };
    const progress: string[] = [];
    const r = await sendCohortReminders(as(lead, 340), cohortA, { ...input, onProgress: (d, n) => progress.push(`${d}/${n}`) });
    expect(r).toMatchObject({ total: 3, queued: 3, coolDown: 0, alreadySent: 0 });
    expect(progress).toEqual(['3/3']);
    // a double click: the same key sends nothing more
    const again = await sendCohortReminders(as(lead, 340), cohortA, input);
    expect(again).toMatchObject({ queued: 0, alreadySent: 3 });
    const mails = await deliver(340);
    expect(mails).toHaveLength(3);
    expect(smtp.envelopes.slice(-3).flat().sort()).toEqual([anna.email, bernd.email, carl.email].sort());
    expect(mails.find((m) => m.text?.includes('Guten Tag Anna Auer'))?.text).toContain('http://localhost:4321/kurse/probe-kurs');
    expect(await deliver(340)).toHaveLength(0);

    const batch = await getCohortReminderBatch(as(lead, 340), cohortA, key);
    expect(batch).toMatchObject({ total: 3, counts: { sent: 3, queued: 0 } });
    const log = await getCohortReminderLog(as(lead, 341), cohortA);
    expect(log.sends).toHaveLength(1);
    expect(log.sends[0]).toMatchObject({ sentBy: null, template: 'Standard-Erinnerung', total: 3, counts: { sent: 3 } });
    expect(log.entries.map((e) => e.name).sort()).toEqual(['Anna Auer', 'Bernd Bauer', 'Carl Conrad']);
    expect(log.entries.every((e) => e.status === 'sent' && e.sentAt.getTime() === at(340).getTime())).toBe(true);
    // the cohort's other page and the other multiplier's cohort do not list this send
    expect((await getCohortReminderLog(as(lead, 341), cohortB)).sends).toEqual([]);
    expect((await getCohortReminderLog(as(otherLead, 341), otherCohort)).sends).toEqual([]);
    await expect(getCohortReminderLog(as(otherLead, 341), cohortA)).rejects.toBeInstanceOf(NotFoundError);
  });

  test('keeps to the cool-down with a new key; the preview says who is skipped', async () => {
    const p = await previewCohortReminders(as(lead, 341), cohortA, { audience: { statuses: ['overdue'] }, templateId: 'standard' });
    expect(p).toMatchObject({ total: 2, due: 0, coolDown: 2, sample: null });
    expect(p.people.every((x) => x.skip === 'cool-down' && x.lastReminderAt)).toBe(true);
    const r = await sendCohortReminders(as(lead, 341), cohortA, {
      audience: { statuses: ['overdue'] },
      templateId: 'standard',
      sendKey: sendKey(),
    });
    expect(r).toMatchObject({ queued: 0, coolDown: 2 });
    expect(await deliver(341)).toHaveLength(0);
  });

  test('refuses before anything is sent: other cohorts, other districts, a person outside the cohort, an invalid template', async () => {
    const mails = await mailCount();
    const logs = await logCount();
    const send = (u: AuthUser, cohortId: string, userIds: string[], templateId = 'standard') =>
      sendCohortReminders(as(u, 345), cohortId, { audience: { userIds }, templateId, sendKey: sendKey() });
    // another multiplier's cohort, another district's cohort, a foreign multiplier on this cohort
    await expect(send(lead, otherCohort, [anna.id])).rejects.toBeInstanceOf(NotFoundError);
    await expect(send(lead, foreignCohort, [anna.id])).rejects.toBeInstanceOf(NotFoundError);
    await expect(send(foreignLead, cohortA, [anna.id])).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      previewCohortReminders(as(otherLead, 345), cohortA, { audience: { statuses: ['overdue'] }, templateId: 'standard' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    // tampered ids: a member of the lead's other cohort, a person who moved away, an unknown id — the whole send refused
    await expect(send(lead, cohortA, [anna.id, dora.id])).rejects.toBeInstanceOf(NotFoundError);
    await expect(send(lead, cohortA, [emil.id])).rejects.toBeInstanceOf(NotFoundError);
    await expect(send(lead, cohortA, [bernd.id, randomUUID()])).rejects.toBeInstanceOf(NotFoundError);
    await expect(getCohortReminderBatch(as(otherLead, 345), cohortA, sendKey())).rejects.toBeInstanceOf(NotFoundError);
    // a multiplier who is also the district's admin: the cohort page still reminds only the cohort
    const adminLead = await makeUser(t.db, { tenant: slug, roles: ['admin', 'multiplier'] });
    await assignMultiplier(as(admin, 345), { cohortId: cohortB, email: adminLead.email });
    await expect(send(adminLead, cohortB, [anna.id])).rejects.toBeInstanceOf(NotFoundError);
    // an unknown template placeholder (a template stored before the check existed): refused with the placeholder named
    await t.db.insert(reminderTemplateTable).values({
      id: 'alt-vorlage',
      tenantId,
      name: 'Alte Vorlage',
      subject: 'Bitte {kurs}',
      body: 'Hallo {vorname}, bis {faellig}',
      createdAt: at(0),
      updatedAt: at(0),
    });
    await expect(send(lead, cohortB, [dora.id], 'alt-vorlage')).rejects.toThrow(/Unbekanntes Vorlagenfeld \{vorname\}/);
    await expect(
      previewCohortReminders(as(lead, 345), cohortB, { audience: { statuses: ['overdue'] }, templateId: 'alt-vorlage' }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      sendCohortReminders(as(lead, 345), cohortB, { audience: { statuses: ['overdue'] }, templateId: 'standard', sendKey: 'x' }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await mailCount()).toBe(mails);
    expect(await logCount()).toBe(logs);
  });

  test('an ended cohort reminds nobody', async () => {
    const ended = (await createCohort(as(admin, 345), { name: 'Beendet', orgUnits: [{ orgUnitId: units.get('B') as string }] })).id;
    await assignMultiplier(as(admin, 345), { cohortId: ended, email: lead.email });
    await endCohort(as(admin, 346), ended);
    expect(await selectCohortMembersByStatus(as(lead, 347), ended, ['overdue'])).toEqual([]);
    await expect(
      sendCohortReminders(as(lead, 347), ended, { audience: { userIds: [dora.id] }, templateId: 'standard', sendKey: sendKey() }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
