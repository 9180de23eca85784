/**
 * The demo district as `npm start` seeds it: about 2,000 staff of Landkreis Musterstadt with two years of history
 * (generated, through the learning record), uneven progress by office, people who moved, some overdue and some
 * refreshers due; Max Multiplikator's two cohorts of a few hundred people with past sessions, attendance and a
 * reminder log; and a second run that adds nothing.
 */
import { join } from 'node:path';
import { and, eq, inArray, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  cohortMultiplierTable,
  learningEventTable,
  mailMessageTable,
  reminderLogTable,
  tenantTable,
  trainingSessionTable,
  userTable,
} from '../../db/schema/index.ts';
import { configureCertificateIssuing } from '../../src/lib/server/certificates/certificate-hook.ts';
import { membersOf } from '../../src/lib/server/cohorts/cohort-members.ts';
import { type ContentSet, loadContent } from '../../src/lib/server/content/load-content.ts';
import { personContext } from '../../src/lib/server/context.ts';
import { DEMO_LOGINS, seedDemo } from '../../src/lib/server/demo/seed-demo.ts';
import { DEMO_STAFF_PLAN } from '../../src/lib/server/demo/seed-demo-staff.ts';
import { getStatusAsOf } from '../../src/lib/server/evidence/status-as-of.ts';
import { matchesReminderStatus } from '../../src/lib/server/reminders/select-by-status.ts';
import { authorizeCohortWork } from '../../src/lib/server/sessions/session-access.ts';
import { type AuthUser, getAuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const DAY = 86_400_000;
let t: TestDb;
let content: ContentSet;
let tenantId: string;
const now = new Date();

const userByEmail = async (email: string): Promise<AuthUser> => {
  const [row] = await t.db.select({ id: userTable.id }).from(userTable).where(eq(userTable.email, email));
  return (await getAuthUser(t.db, row?.id as string)) as AuthUser;
};

beforeAll(async () => {
  t = await createTestDb();
  content = loadContent({ root: process.cwd() });
  configureCertificateIssuing({ keyDir: join(t.dir, 'keys') });
  await seedDemo(t.db, now);
  const [tenant] = await t.db.select().from(tenantTable).where(eq(tenantTable.slug, 'musterstadt'));
  tenantId = tenant?.id as string;
}, 120_000);
afterAll(() => t.cleanup());

describe('the demo district Musterstadt', () => {
  test('has about 2,000 staff; the generated ones have distinct logins that no named account has, and varied names', async () => {
    const staff = await t.db.select().from(userTable).where(eq(userTable.tenantId, tenantId));
    expect(staff.length).toBeGreaterThanOrEqual(1950);
    expect(staff.length).toBeLessThanOrEqual(2100);
    const generated = staff.filter((u) => /-\d{4}@musterstadt\.example$/.test(u.email));
    expect(generated).toHaveLength(DEMO_STAFF_PLAN.reduce((n, p) => n + p.staff, 0));
    expect(new Set(generated.map((u) => u.email)).size).toBe(generated.length);
    for (const u of generated) expect(u.email).toMatch(/^[a-z0-9-]+\.[a-z0-9-]+-\d{4}@musterstadt\.example$/);
    const named = new Set<string>(DEMO_LOGINS.map((l) => l.email));
    expect(generated.some((u) => named.has(u.email))).toBe(false);
    // the named accounts are there, each once, with their own names
    for (const l of DEMO_LOGINS) expect((await t.db.select().from(userTable).where(eq(userTable.email, l.email))).length).toBe(1);
    const names = generated.map((u) => u.name);
    expect(new Set(names).size).toBeGreaterThan(1000);
    expect(names.some((n) => /[äöüß]/.test(n))).toBe(true);
    expect(names.some((n) => /ß/.test(n))).toBe(true);
    expect(names.some((n) => /Yılmaz|Nguyen|Kowalczyk|Şahin|Popescu/.test(n))).toBe(true);
    // Jürgen Weiß logs in as juergen.weiss-NNNN
    const umlaut = generated.find((u) => /[äöüß]/.test(u.name));
    expect(umlaut?.email).not.toMatch(/[äöüß]/);
  });

  test('has two years of history in the record: accounts from the start, about 5 % moved, coverage growing over the months', async () => {
    const [tenant] = await t.db.select().from(tenantTable).where(eq(tenantTable.id, tenantId));
    expect(now.getTime() - (tenant?.recordStartedAt?.getTime() ?? now.getTime())).toBeGreaterThanOrEqual(729 * DAY);
    const memberships = await t.db
      .select({ userId: learningEventTable.userId })
      .from(learningEventTable)
      .where(and(eq(learningEventTable.tenantId, tenantId), eq(learningEventTable.type, 'membership.changed')));
    const perPerson = new Map<string, number>();
    for (const m of memberships) perPerson.set(m.userId as string, (perPerson.get(m.userId as string) ?? 0) + 1);
    const moved = [...perPerson.values()].filter((n) => n > 1).length;
    expect(moved / perPerson.size).toBeGreaterThan(0.03);
    expect(moved / perPerson.size).toBeLessThan(0.08);
    const paula = await userByEmail('paula.personal@musterstadt.example');
    const hr = personContext(t.db, paula, content, () => now);
    const done = (people: Awaited<ReturnType<typeof getStatusAsOf>>['people']) =>
      people.filter((p) => p.path?.state === 'completed').length;
    const [today, halfYear, yearAgo] = await Promise.all([
      getStatusAsOf(hr, {}),
      getStatusAsOf(hr, { asOf: new Date(now.getTime() - 180 * DAY) }),
      getStatusAsOf(hr, { asOf: new Date(now.getTime() - 365 * DAY) }),
    ]);
    expect(done(yearAgo.people)).toBeLessThan(done(halfYear.people));
    expect(done(halfYear.people)).toBeLessThan(done(today.people));
    // some overdue, some refreshers due, and neither is everyone
    const active = today.people.filter((p) => p.status === 'active');
    const overdue = active.filter((p) => matchesReminderStatus(p, 'overdue')).length;
    const refresher = active.filter((p) => matchesReminderStatus(p, 'refresher-due')).length;
    expect(overdue).toBeGreaterThan(50);
    expect(overdue).toBeLessThan(active.length * 0.8);
    expect(refresher).toBeGreaterThan(10);
    expect(refresher).toBeLessThan(active.length / 2);
    // offices progress unevenly: IT well ahead of Bauen und Umwelt
    const units = await t.db.query.orgUnitTable.findMany({ where: (u, { eq: is }) => is(u.tenantId, tenantId) });
    const share = (code: string) => {
      const id = units.find((u) => u.code === code)?.id;
      const here = active.filter((p) => p.orgUnitId === id);
      return here.filter((p) => p.path?.state === 'completed').length / here.length;
    };
    expect(share('FB1-IT')).toBeGreaterThan(share('FB4') + 0.25);
  });

  test('Max leads two cohorts of a few hundred people with past sessions, attendance and a reminder log', async () => {
    const max = await userByEmail('max.multiplikator@musterstadt.example');
    const ctx = personContext(t.db, max, content, () => now);
    const led = await t.db.select().from(cohortMultiplierTable).where(eq(cohortMultiplierTable.userId, max.id));
    expect(led.length).toBeGreaterThanOrEqual(2);
    for (const { cohortId } of led) {
      const { scope, cohort } = await authorizeCohortWork(ctx, cohortId);
      const members = await membersOf(ctx, scope, cohort);
      expect(members.length).toBeGreaterThanOrEqual(200);
      expect(members.length).toBeLessThanOrEqual(1000);
      const sessions = await t.db.select().from(trainingSessionTable).where(eq(trainingSessionTable.cohortId, cohortId));
      expect(sessions.length).toBeGreaterThanOrEqual(2);
      for (const s of sessions) expect(s.startsAt.getTime()).toBeLessThan(now.getTime());
      const attended = await t.db
        .select({ ref: learningEventTable.ref })
        .from(learningEventTable)
        .where(
          and(
            eq(learningEventTable.type, 'session.attended'),
            inArray(
              learningEventTable.ref,
              sessions.map((s) => s.id),
            ),
          ),
        );
      expect(new Set(attended.map((a) => a.ref)).size).toBe(sessions.length);
      const log = await t.db
        .select()
        .from(reminderLogTable)
        .where(and(eq(reminderLogTable.sentBy, max.id), like(reminderLogTable.batchKey, `%cohort.${cohortId}%`)));
      expect(log.length).toBeGreaterThan(10);
      for (const r of log) expect(r.sentAt.getTime()).toBeLessThan(now.getTime() - 7 * DAY);
    }
    // the history's mails are not waiting for a mail server
    expect(
      await t.db
        .select({ id: mailMessageTable.id })
        .from(mailMessageTable)
        .where(and(eq(mailMessageTable.tenantId, tenantId), eq(mailMessageTable.status, 'queued'))),
    ).toHaveLength(0);
  });

  test('a second run adds nothing', async () => {
    const counts = async () => {
      const c = (t.db as unknown as { $client: { execute(sql: string): Promise<{ rows: Array<Record<string, unknown>> }> } }).$client;
      const tables = [
        'users',
        'learning_events',
        'lesson_progress',
        'course_completions',
        'training_sessions',
        'mail_messages',
        'reminder_log',
        'cohorts',
        'audit_events',
      ];
      const out: Record<string, number> = {};
      for (const table of tables) out[table] = Number((await c.execute(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
      return out;
    };
    const before = await counts();
    expect(await seedDemo(t.db, new Date(now.getTime() + 60_000))).toEqual({ tenantsCreated: 0, usersCreated: 0, staffCreated: 0 });
    expect(await counts()).toEqual(before);
  });
});
