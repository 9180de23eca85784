/**
 * Outgoing mail against a real SMTP server on loopback (smtp-server, each message parsed with mailparser): delivery,
 * retry while the server is down, a message sent once, the repeat after an interrupted send, permanent refusals,
 * the outbox without SMTP (+ .eml download) and its authorization.
 */
import { createServer } from 'node:net';
import { eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mailMessageTable, userRoleTable } from '../../db/schema/index.ts';
import { personContext } from '../../src/lib/server/context.ts';
import { ForbiddenError, NotFoundError } from '../../src/lib/server/errors/domain-errors.ts';
import { deliverQueuedMail, retryDelayMs } from '../../src/lib/server/mail/deliver-mail.ts';
import { getOutboxEml, getOutboxMessage, listOutbox } from '../../src/lib/server/mail/outbox.ts';
import { queueMail } from '../../src/lib/server/mail/queue-mail.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { startTestSmtp, type TestSmtp } from '../setup/smtp-server.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
const FROM = 'KIKO Test <kiko@landkreis.example>';
let t: TestDb;
let smtp: TestSmtp;
let home: Awaited<ReturnType<typeof makeTenant>>;
let admin: AuthUser;
let learner: AuthUser;

beforeAll(async () => {
  t = await createTestDb();
  smtp = await startTestSmtp();
  home = await makeTenant(t.db);
  admin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
  learner = await makeUser(t.db, { tenant: home.slug, name: 'Lena Lernend' });
});
afterAll(async () => {
  await smtp.close();
  t.cleanup();
});

const row = async (id: string) => (await t.db.select().from(mailMessageTable).where(eq(mailMessageTable.id, id)))[0];

/** A port on which nothing listens (taken and given back). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('deliverQueuedMail', () => {
  test('delivers a queued message to the SMTP server with recipient, subject, German text and Message-ID', async () => {
    const { id } = await queueMail(
      t.db,
      {
        tenantId: home.id,
        userId: learner.id,
        to: learner.email,
        template: 'test',
        subject: 'Grüße aus KIKO',
        text: 'Schöne Grüße – Ihr Landkreis.\nhttp://localhost:4321/lernen',
      },
      { delivery: 'smtp' },
    );
    const before = smtp.received.length;
    const r = await deliverQueuedMail(t.db, { smtpUrl: smtp.url, from: FROM, log: () => {} });
    expect(r.sent).toBe(1);
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(smtp.envelopes.at(-1)).toEqual([learner.email]);
    expect(mail?.subject).toBe('Grüße aus KIKO');
    expect(mail?.text).toContain('Schöne Grüße – Ihr Landkreis.');
    expect(mail?.text).toContain('http://localhost:4321/lernen');
    expect(mail?.from?.text).toContain('kiko@landkreis.example');
    const stored = await row(id);
    expect(stored?.status).toBe('sent');
    expect(mail?.messageId).toBe(stored?.messageId);
    // a second run sends nothing again
    expect((await deliverQueuedMail(t.db, { smtpUrl: smtp.url, from: FROM, log: () => {} })).sent).toBe(0);
    expect(smtp.received.length).toBe(before + 1);
  });

  test('keeps messages queued while the SMTP server is down and sends them once in a later run', async () => {
    const port = await freePort();
    const url = `smtp://kiko:geheimes-passwort@127.0.0.1:${port}`;
    const now = new Date();
    const a = await queueMail(
      t.db,
      { tenantId: home.id, to: learner.email, template: 'test', subject: 'Eins', text: 'Erste' },
      { delivery: 'smtp', now },
    );
    const b = await queueMail(
      t.db,
      { tenantId: home.id, to: learner.email, template: 'test', subject: 'Zwei', text: 'Zweite' },
      { delivery: 'smtp', now },
    );
    const log: string[] = [];
    const down = await deliverQueuedMail(t.db, { smtpUrl: url, from: FROM, now, log: (l) => log.push(l), timeoutMs: 1_000 });
    expect(down).toMatchObject({ sent: 0, retry: 2, failed: 0 });
    expect((await row(a.id))?.status).toBe('queued');
    expect((await row(a.id))?.lastError).toMatch(/nicht erreichbar/);
    // no secrets in the log: neither user name nor password of the SMTP URL
    expect(log.join('\n')).not.toMatch(/geheimes-passwort|kiko:/);
    // before the backoff has passed nothing is tried
    expect((await deliverQueuedMail(t.db, { smtpUrl: url, from: FROM, now, log: () => {} })).retry).toBe(0);
    // the server comes back on the same port
    const back = await startTestSmtp(port);
    try {
      const later = new Date(now.getTime() + retryDelayMs(1) + 1);
      const r = await deliverQueuedMail(t.db, { smtpUrl: url, from: FROM, now: later, log: () => {} });
      expect(r.sent).toBe(2);
      await back.waitFor(2);
      expect(back.received.map((m) => m.subject).sort()).toEqual(['Eins', 'Zwei']);
      expect((await row(b.id))?.status).toBe('sent');
      const again = await deliverQueuedMail(t.db, { smtpUrl: url, from: FROM, now: new Date(later.getTime() + 3_600_000), log: () => {} });
      expect(again.sent).toBe(0);
      expect(back.received).toHaveLength(2);
    } finally {
      await back.close();
    }
  });

  test('sends a message again after an interrupted send, with the same Message-ID, and says so', async () => {
    const { id } = await queueMail(
      t.db,
      { tenantId: home.id, to: learner.email, template: 'test', subject: 'Unterbrochen', text: 'x' },
      { delivery: 'smtp' },
    );
    // as if a sender had claimed it, sent it and stopped before marking it
    await t.db
      .update(mailMessageTable)
      .set({ status: 'sending', attempts: 1, claimedUntil: new Date(Date.now() - 1000) })
      .where(eq(mailMessageTable.id, id));
    const log: string[] = [];
    const before = smtp.received.length;
    const r = await deliverQueuedMail(t.db, { smtpUrl: smtp.url, from: FROM, log: (l) => log.push(l) });
    expect(r).toMatchObject({ sent: 1, repeated: 1 });
    expect(log.join('\n')).toMatch(/erneut gesendet \(gleiche Message-ID\)/);
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail?.messageId).toBe((await row(id))?.messageId);
  });

  test('leaves a message claimed by a running sender alone', async () => {
    const { id } = await queueMail(
      t.db,
      { tenantId: home.id, to: learner.email, template: 'test', subject: 'Läuft', text: 'x' },
      { delivery: 'smtp' },
    );
    await t.db
      .update(mailMessageTable)
      .set({ status: 'sending', claimedUntil: new Date(Date.now() + 60_000) })
      .where(eq(mailMessageTable.id, id));
    expect((await deliverQueuedMail(t.db, { smtpUrl: smtp.url, from: FROM, log: () => {} })).sent).toBe(0);
    await t.db.update(mailMessageTable).set({ status: 'sent' }).where(eq(mailMessageTable.id, id));
  });

  test('marks a message failed when the server refuses it for good (5xx)', async () => {
    const { id } = await queueMail(
      t.db,
      { tenantId: home.id, to: learner.email, template: 'test', subject: 'Abgelehnt', text: 'x' },
      { delivery: 'smtp' },
    );
    smtp.refuseWith = 550;
    try {
      const r = await deliverQueuedMail(t.db, { smtpUrl: smtp.url, from: FROM, log: () => {} });
      expect(r.failed).toBe(1);
    } finally {
      smtp.refuseWith = null;
    }
    expect((await row(id))?.status).toBe('failed');
    expect((await row(id))?.lastError).toMatch(/550/);
  });

  test('retries a temporary refusal (4xx)', async () => {
    const { id } = await queueMail(
      t.db,
      { tenantId: home.id, to: learner.email, template: 'test', subject: 'Später', text: 'x' },
      { delivery: 'smtp' },
    );
    smtp.refuseWith = 451;
    try {
      expect((await deliverQueuedMail(t.db, { smtpUrl: smtp.url, from: FROM, log: () => {} })).retry).toBe(1);
    } finally {
      smtp.refuseWith = null;
    }
    expect((await row(id))?.status).toBe('queued');
    await t.db.update(mailMessageTable).set({ status: 'sent' }).where(eq(mailMessageTable.id, id));
  });
});

describe('queueMail', () => {
  test('queues one message per idempotency key', async () => {
    const msg = { tenantId: home.id, to: learner.email, template: 'test', subject: 'Einmal', text: 'x', idempotencyKey: 'test:einmal' };
    const first = await queueMail(t.db, msg, { delivery: 'smtp' });
    const second = await queueMail(t.db, msg, { delivery: 'smtp' });
    expect(second).toEqual({ id: first.id, created: false });
    expect(await t.db.select().from(mailMessageTable).where(eq(mailMessageTable.idempotencyKey, 'test:einmal'))).toHaveLength(1);
  });

  test('writes nothing when the caller’s transaction rolls back', async () => {
    await t.db
      .transaction(async (tx) => {
        await queueMail(tx, {
          tenantId: home.id,
          to: learner.email,
          template: 'test',
          subject: 'Zurückgerollt',
          text: 'x',
          idempotencyKey: 'test:rollback',
        });
        throw new Error('rollback');
      })
      .catch(() => {});
    expect(await t.db.select().from(mailMessageTable).where(eq(mailMessageTable.idempotencyKey, 'test:rollback'))).toHaveLength(0);
  });
});

describe('outbox', () => {
  let storedId: string;
  beforeAll(async () => {
    storedId = (
      await queueMail(
        t.db,
        {
          tenantId: home.id,
          userId: learner.id,
          to: learner.email,
          template: 'reminder',
          subject: 'Erinnerung: Grundlagen',
          text: 'Guten Tag Lena Lernend,\nbitte weitermachen.',
        },
        { delivery: 'outbox' },
      )
    ).id;
  });

  test('keeps mails without SMTP server in the outbox, listed for the district admin', async () => {
    expect((await row(storedId))?.status).toBe('stored');
    const page = await listOutbox(personContext(t.db, admin, content));
    expect(page.smtp).toBe(false);
    expect(page.entries.map((e) => e.id)).toContain(storedId);
    expect(page.counts.stored).toBeGreaterThanOrEqual(1);
    const filtered = await listOutbox(personContext(t.db, admin, content), { status: 'failed' });
    expect(filtered.entries.every((e) => e.status === 'failed')).toBe(true);
  });

  test('downloads a message as .eml that a mail program reads', async () => {
    const { filename, content: eml } = await getOutboxEml(personContext(t.db, admin, content), storedId);
    expect(filename).toMatch(/\.eml$/);
    const parsed = await simpleParser(eml);
    expect(parsed.subject).toBe('Erinnerung: Grundlagen');
    expect(parsed.text).toContain('Guten Tag Lena Lernend');
    expect(parsed.to && 'text' in parsed.to ? parsed.to.text : '').toContain(learner.email);
    expect(parsed.messageId).toBe((await row(storedId))?.messageId);
  });

  test('does not show the personal link of a password mail that went to the SMTP server', async () => {
    const { id } = await queueMail(
      t.db,
      {
        tenantId: home.id,
        userId: learner.id,
        to: learner.email,
        template: 'password-reset',
        subject: 'KIKO: Passwort zurücksetzen',
        text: 'http://x/passwort-neu?token=geheim',
      },
      { delivery: 'smtp' },
    );
    for (const m of [
      await getOutboxMessage(personContext(t.db, admin, content), id),
      await simpleParser((await getOutboxEml(personContext(t.db, admin, content), id)).content),
    ]) {
      expect('bodyText' in m ? m.bodyText : m.text).not.toContain('token=geheim');
    }
    await t.db.update(mailMessageTable).set({ status: 'sent' }).where(eq(mailMessageTable.id, id));
    expect((await getOutboxMessage(personContext(t.db, admin, content), id)).bodyText).toContain('persönlichen Link');
  });

  test('refuses another district, learners and an admin whose org subtree does not hold the recipient', async () => {
    const other = await makeTenant(t.db);
    const foreignAdmin = await makeUser(t.db, { tenant: other.slug, roles: ['admin'] });
    await expect(getOutboxMessage(personContext(t.db, foreignAdmin, content), storedId)).rejects.toBeInstanceOf(NotFoundError);
    expect((await listOutbox(personContext(t.db, foreignAdmin, content))).entries.map((e) => e.id)).not.toContain(storedId);
    await expect(listOutbox(personContext(t.db, learner, content))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(getOutboxEml(personContext(t.db, learner, content), storedId)).rejects.toBeInstanceOf(ForbiddenError);
    const scoped = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
    await t.db
      .update(userRoleTable)
      .set({ scopeOrgUnitId: home.orgUnitIds.get('B') })
      .where(eq(userRoleTable.userId, scoped.id));
    await expect(getOutboxMessage(personContext(t.db, scoped, content), storedId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getOutboxMessage(personContext(t.db, admin, content), `${storedId.slice(0, -1)}x`)).rejects.toBeInstanceOf(NotFoundError);
  });
});
