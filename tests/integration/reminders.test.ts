/**
 * The reminder engine: preview with the district's template, sending through a real SMTP server on loopback,
 * cool-down, one send per idempotency key, unknown placeholders refused before anything is sent, progress for long
 * sends, the learner's list, and authorization negatives (other district, learner role, scoped HR, tampered ids,
 * multipliers only for people the cohort check allows).
 */
import { eq } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mailMessageTable, reminderLogTable, tenantTable, userRoleTable } from '../../db/schema/index.ts';
import { assignMultiplier } from '../../src/lib/server/cohorts/cohort-multipliers.ts';
import { createCohort } from '../../src/lib/server/cohorts/create-cohort.ts';
import { type Ctx, personContext } from '../../src/lib/server/context.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/lib/server/errors/domain-errors.ts';
import { archiveContent } from '../../src/lib/server/evidence/content-archive.ts';
import { deliverQueuedMail } from '../../src/lib/server/mail/deliver-mail.ts';
import { listOwnReminders } from '../../src/lib/server/reminders/list-own-reminders.ts';
import { previewReminders } from '../../src/lib/server/reminders/preview-reminders.ts';
import type { CanRemind } from '../../src/lib/server/reminders/reminder-audience.ts';
import { reminderTextProblem } from '../../src/lib/server/reminders/reminder-template.ts';
import { listReminderTemplates, saveReminderTemplate } from '../../src/lib/server/reminders/reminder-templates.ts';
import { sendReminders } from '../../src/lib/server/reminders/send-reminders.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { startTestSmtp, type TestSmtp } from '../setup/smtp-server.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
const FROM = 'KIKO <kiko@landkreis.example>';
let t: TestDb;
let smtp: TestSmtp;
let home: Awaited<ReturnType<typeof makeTenant>>;
let hr: AuthUser;
let admin: AuthUser;
let people: AuthUser[];
const as = (u: AuthUser, clock?: () => Date): Ctx => personContext(t.db, u, content, clock);
let keyCounter = 0;
const key = (): string => `test-key-${++keyCounter}-${Date.now()}`;

beforeAll(async () => {
  smtp = await startTestSmtp();
  process.env.KIKO_SMTP_URL = smtp.url;
  process.env.KIKO_MAIL_FROM = FROM;
  t = await createTestDb();
  await archiveContent(t.db, content);
  home = await makeTenant(t.db);
  hr = await makeUser(t.db, { tenant: home.slug, roles: ['hr'] });
  admin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
  people = [];
  for (const name of ['Anna Auer', 'Bernd Bauer', 'Clara Conrad'])
    people.push(await makeUser(t.db, { tenant: home.slug, name, orgUnitId: home.orgUnitIds.get('A') }));
});
afterAll(async () => {
  await smtp.close();
  t.cleanup();
});

async function deliver(now?: Date): Promise<ParsedMail[]> {
  const before = smtp.received.length;
  const r = await deliverQueuedMail(t.db, { smtpUrl: smtp.url, from: FROM, log: () => {}, ...(now ? { now } : {}) });
  return r.sent ? (await smtp.waitFor(before + r.sent)).slice(before) : [];
}

describe('reminder templates', () => {
  test('refuses an unknown placeholder with a German message naming it and the allowed ones', () => {
    expect(reminderTextProblem({ subject: 'Hallo {name}', body: 'Bis {fällig} bitte {kurs}' })).toBe(
      'Unbekanntes Vorlagenfeld {fällig}. Erlaubt sind {name}, {kurs}, {faellig}, {link}.',
    );
    expect(reminderTextProblem({ subject: 'Hallo {name}', body: '{kurs} bis {faellig}: {link}' })).toBeNull();
  });

  test('admins save district templates; others cannot; the default comes first', async () => {
    await expect(saveReminderTemplate(as(admin), { name: 'Falsch', subject: 'x', body: '{vorname}' })).rejects.toThrow(
      /Unbekanntes Vorlagenfeld \{vorname\}/,
    );
    const { id } = await saveReminderTemplate(as(admin), {
      name: 'Kurz',
      subject: 'Bitte {kurs} abschließen',
      body: 'Hallo {name}, bis {faellig}: {link}',
    });
    const list = await listReminderTemplates(as(admin));
    expect(list[0]?.id).toBe('standard');
    expect(list.map((x) => x.id)).toContain(id);
    await expect(saveReminderTemplate(as(hr), { name: 'HR', subject: 'x', body: 'y' })).rejects.toBeInstanceOf(ForbiddenError);
    const other = await makeTenant(t.db);
    const foreignAdmin = await makeUser(t.db, { tenant: other.slug, roles: ['admin'] });
    await expect(saveReminderTemplate(as(foreignAdmin), { id, name: 'Fremd', subject: 'x', body: 'y' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect((await listReminderTemplates(as(foreignAdmin))).map((x) => x.id)).not.toContain(id);
  });
});

describe('previewReminders', () => {
  test('fills name, course, due date and link per person, and sends nothing', async () => {
    const preview = await previewReminders(as(hr), { userIds: people.map((p) => p.id), templateId: 'standard' });
    expect(preview).toHaveLength(3);
    const anna = preview.find((p) => p.name === 'Anna Auer');
    expect(anna?.subject).toBe('Erinnerung: Probekurs für Tests in KIKO');
    expect(anna?.body).toContain('Guten Tag Anna Auer');
    expect(anna?.body).toMatch(/fällig: \d\d\.\d\d\.\d{4}/);
    expect(anna?.body).toContain('http://localhost:4321/kurse/probe-kurs');
    expect(anna?.skip).toBeNull();
    expect(await t.db.select().from(reminderLogTable)).toHaveLength(0);
  });

  test('refuses an unsaved template with an unknown placeholder before anything happens', async () => {
    await expect(
      previewReminders(as(hr), { userIds: [people[0]?.id as string], template: { subject: 'Hallo', body: 'Liebe/r {Name}' } }),
    ).rejects.toThrow(ValidationError);
  });
});

describe('sendReminders', () => {
  test('queues one mail per person; the SMTP server receives them with German text and link', async () => {
    const k = key();
    const r = await sendReminders(as(hr), { userIds: people.map((p) => p.id), templateId: 'standard', idempotencyKey: k });
    expect(r).toMatchObject({ total: 3, queued: 3, coolDown: 0, alreadySent: 0 });
    const mails = await deliver();
    expect(mails).toHaveLength(3);
    const toBernd = mails.find((m) => m.text?.includes('Guten Tag Bernd Bauer'));
    expect(smtp.envelopes.slice(-3).flat()).toEqual(expect.arrayContaining(people.map((p) => p.email)));
    expect(toBernd?.subject).toBe('Erinnerung: Probekurs für Tests in KIKO');
    expect(toBernd?.text).toContain('http://localhost:4321/kurse/probe-kurs');
    // a double click (same key) sends nothing more
    const again = await sendReminders(as(hr), { userIds: people.map((p) => p.id), templateId: 'standard', idempotencyKey: k });
    expect(again).toMatchObject({ queued: 0, alreadySent: 3 });
    expect(await deliver()).toHaveLength(0);
    // the log says who sent what to whom
    const log = await t.db
      .select()
      .from(reminderLogTable)
      .where(eq(reminderLogTable.userId, people[0]?.id as string));
    expect(log).toHaveLength(1);
    expect(log[0]?.sentBy).toBe(hr.id);
  });

  test('keeps to the cool-down (7 days by default, a district setting)', async () => {
    const ids = people.map((p) => p.id);
    const r = await sendReminders(as(hr), { userIds: ids, templateId: 'standard', idempotencyKey: key() });
    expect(r).toMatchObject({ queued: 0, coolDown: 3 });
    const preview = await previewReminders(as(hr), { userIds: ids, templateId: 'standard' });
    expect(preview.every((p) => p.skip === 'cool-down' && p.lastReminderAt)).toBe(true);
    const in8Days = new Date(Date.now() + 8 * 86_400_000);
    // status "now" must not lie in the future of the record, so only the cool-down clock moves: shorten the setting instead
    await t.db
      .update(tenantTable)
      .set({ settings: { reminderCooldownDays: 0 } })
      .where(eq(tenantTable.id, home.id));
    try {
      const r2 = await sendReminders(as(hr), { userIds: [ids[0] as string], templateId: 'standard', idempotencyKey: key() });
      expect(r2.queued).toBe(1);
      await deliver(in8Days);
    } finally {
      await t.db.update(tenantTable).set({ settings: {} }).where(eq(tenantTable.id, home.id));
    }
  });

  test('uses the district’s own template and refuses another district’s template id', async () => {
    const fresh = await makeUser(t.db, { tenant: home.slug, name: 'Dora Dorn' });
    const { id } = await saveReminderTemplate(as(admin), {
      name: 'Eigen',
      subject: 'Kurz erinnert: {kurs}',
      body: '{name}: bis {faellig} – {link}',
    });
    const r = await sendReminders(as(admin), { userIds: [fresh.id], templateId: id, idempotencyKey: key() });
    expect(r.queued).toBe(1);
    const [mail] = await deliver();
    expect(mail?.subject).toBe('Kurz erinnert: Probekurs für Tests');
    expect(mail?.text).toMatch(/^Dora Dorn: bis \d\d\.\d\d\.\d{4} – http:\/\/localhost:4321\/kurse\/probe-kurs/);
    const other = await makeTenant(t.db);
    const foreignAdmin = await makeUser(t.db, { tenant: other.slug, roles: ['admin'] });
    const foreignPerson = await makeUser(t.db, { tenant: other.slug });
    await expect(
      sendReminders(as(foreignAdmin), { userIds: [foreignPerson.id], templateId: id, idempotencyKey: key() }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  test('shows progress while sending to many people', async () => {
    const many: string[] = [];
    for (let i = 0; i < 250; i++) many.push((await makeUser(t.db, { tenant: home.slug, name: `Person ${i}` })).id);
    const progress: string[] = [];
    const r = await sendReminders(as(hr), {
      userIds: many,
      templateId: 'standard',
      idempotencyKey: key(),
      onProgress: (done, total) => progress.push(`${done}/${total}`),
    });
    expect(r.queued).toBe(250);
    expect(progress).toEqual(['100/250', '200/250', '250/250']);
    expect(await t.db.select().from(mailMessageTable).where(eq(mailMessageTable.template, 'reminder'))).toHaveLength(255);
    await deliver();
    await deliver();
    await deliver();
    await deliver();
    await deliver();
    await deliver();
  }, 60_000);

  test('lets learners see the reminders they got, and only theirs', async () => {
    const mine = await listOwnReminders(as(people[0] as AuthUser));
    expect(mine.length).toBeGreaterThanOrEqual(1);
    expect(mine[0]?.subject).toContain('Probekurs');
    expect(mine[0]?.status).toBe('sent');
    expect(await listOwnReminders(as(hr))).toHaveLength(0);
  });
});

describe('who may remind whom', () => {
  test('refuses learners, other districts, out-of-scope HR and tampered ids, sending nothing', async () => {
    const before = (await t.db.select().from(mailMessageTable)).length;
    const ids = people.map((p) => p.id);
    const learner = people[1] as AuthUser;
    await expect(previewReminders(as(learner), { userIds: ids, templateId: 'standard' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(sendReminders(as(learner), { userIds: ids, templateId: 'standard', idempotencyKey: key() })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    const other = await makeTenant(t.db);
    const foreignHr = await makeUser(t.db, { tenant: other.slug, roles: ['hr'] });
    await expect(sendReminders(as(foreignHr), { userIds: ids, templateId: 'standard', idempotencyKey: key() })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const scoped = await makeUser(t.db, { tenant: home.slug, roles: ['hr'] });
    await t.db
      .update(userRoleTable)
      .set({ scopeOrgUnitId: home.orgUnitIds.get('B') })
      .where(eq(userRoleTable.userId, scoped.id));
    await expect(previewReminders(as(scoped), { userIds: ids, templateId: 'standard' })).rejects.toBeInstanceOf(NotFoundError);
    const tampered = `${ids[0]?.slice(0, -1)}${ids[0]?.endsWith('0') ? '1' : '0'}`;
    await expect(
      sendReminders(as(hr), { userIds: [ids[1] as string, tampered], templateId: 'standard', idempotencyKey: key() }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(sendReminders(as(hr), { userIds: ids, templateId: 'gibt-es-nicht', idempotencyKey: key() })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(sendReminders(as(hr), { userIds: ids, templateId: 'standard', idempotencyKey: 'x' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect((await t.db.select().from(mailMessageTable)).length).toBe(before);
  });

  test('multipliers remind only current members of the cohorts they lead', async () => {
    const multiplier = await makeUser(t.db, { tenant: home.slug, roles: ['multiplier'] });
    const ids = people.map((p) => p.id);
    // no cohort yet: nobody
    await expect(previewReminders(as(multiplier), { userIds: [ids[0] as string], templateId: 'standard' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const { id: cohortId } = await createCohort(as(admin), {
      name: 'Kohorte Anna und Bernd',
      emails: [people[0]?.email as string, people[1]?.email as string],
    });
    await assignMultiplier(as(admin), { cohortId, email: multiplier.email });
    const ok = await previewReminders(as(multiplier), { userIds: [ids[0] as string, ids[1] as string], templateId: 'standard' });
    expect(ok.map((p) => p.name).sort()).toEqual(['Anna Auer', 'Bernd Bauer']);
    // Clara is not in the cohort: the whole request is refused, nothing sent
    await expect(sendReminders(as(multiplier), { userIds: ids, templateId: 'standard', idempotencyKey: key() })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    // another multiplier of the district sees none of them
    const otherMultiplier = await makeUser(t.db, { tenant: home.slug, roles: ['multiplier'] });
    await expect(previewReminders(as(otherMultiplier), { userIds: [ids[0] as string], templateId: 'standard' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    // a caller may pass its own check
    const none: CanRemind = async () => new Set();
    await expect(
      previewReminders(as(multiplier), { userIds: [ids[0] as string], templateId: 'standard', canRemind: none }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
