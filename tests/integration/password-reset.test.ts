/**
 * Password reset and invitation by e-mail, delivered to a real SMTP server on loopback: the same answer for unknown
 * addresses, a single-use link that expires, tampered and foreign tokens refused, all sessions end, audit entries,
 * districts without password login, rate limits, and the invitation verb with its authorization.
 */
import { eq } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mailMessageTable, passwordTokenTable, sessionTable, tenantTable, userTable } from '../../db/schema/index.ts';
import { loginWithPassword } from '../../src/lib/server/auth/login.ts';
import { RESET_LIMITS, requestPasswordReset } from '../../src/lib/server/auth/request-password-reset.ts';
import { isPasswordTokenUsable, resetPassword } from '../../src/lib/server/auth/reset-password.ts';
import { createSession } from '../../src/lib/server/auth/sessions.ts';
import { personContext } from '../../src/lib/server/context.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../src/lib/server/errors/domain-errors.ts';
import { deliverQueuedMail } from '../../src/lib/server/mail/deliver-mail.ts';
import type { AuthUser } from '../../src/lib/server/users/get-auth-user.ts';
import { sendInvitation } from '../../src/lib/server/users/send-invitation.ts';
import { fixtureContent } from '../setup/content-fixture.ts';
import { auditEventsAbout, makeTenant, makeUser } from '../setup/factories.ts';
import { startTestSmtp, type TestSmtp } from '../setup/smtp-server.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

const content = fixtureContent();
const FROM = 'KIKO <kiko@landkreis.example>';
let t: TestDb;
let smtp: TestSmtp;
let home: Awaited<ReturnType<typeof makeTenant>>;
let person: AuthUser;
let ipCounter = 0;
const ip = (): string => `10.0.0.${++ipCounter}`;
const deviceSecret = new Uint8Array(32).fill(7);

beforeAll(async () => {
  smtp = await startTestSmtp();
  // the configuration of this test process: mails go to the test SMTP server
  process.env.KIKO_SMTP_URL = smtp.url;
  process.env.KIKO_MAIL_FROM = FROM;
  t = await createTestDb();
  home = await makeTenant(t.db);
  person = await makeUser(t.db, { tenant: home.slug, name: 'Petra Passwort' });
});
afterAll(async () => {
  await smtp.close();
  t.cleanup();
});

/** Delivers the queue and returns the mails that arrived with it. */
async function deliver(): Promise<ParsedMail[]> {
  const before = smtp.received.length;
  const r = await deliverQueuedMail(t.db, { smtpUrl: smtp.url, from: FROM, log: () => {} });
  return r.sent ? (await smtp.waitFor(before + r.sent)).slice(before) : [];
}

const tokenOf = (mail: ParsedMail | undefined): string => /passwort-neu\?token=([a-z2-7.]+)/.exec(mail?.text ?? '')?.[1] ?? '';

describe('requestPasswordReset', () => {
  test('mails a German single-use link to the account; the new password works and all sessions end', async () => {
    await createSession(t.db, person.id);
    await createSession(t.db, person.id);
    expect(await requestPasswordReset(t.db, { email: person.email.toUpperCase(), ip: ip() })).toEqual({ ok: true });
    const [mail] = await deliver();
    expect(smtp.envelopes.at(-1)).toEqual([person.email]);
    expect(mail?.subject).toBe('KIKO: Passwort zurücksetzen');
    expect(mail?.text).toContain('Guten Tag Petra Passwort');
    expect(mail?.text).toContain('funktioniert nur einmal');
    expect(mail?.text).toMatch(/http:\/\/localhost:4321\/passwort-neu\?token=/);
    const token = tokenOf(mail);
    expect(await isPasswordTokenUsable(t.db, token)).toBe(true);
    // only the hash is stored
    const stored = await t.db.select().from(passwordTokenTable).where(eq(passwordTokenTable.userId, person.id));
    expect(JSON.stringify(stored)).not.toContain(token.split('.')[1]);

    expect(await resetPassword(t.db, { token, password: 'ein-neues-langes-passwort' })).toEqual({ ok: true, userId: person.id });
    expect(await t.db.select().from(sessionTable).where(eq(sessionTable.userId, person.id))).toHaveLength(0);
    const login = await loginWithPassword(t.db, { email: person.email, password: 'ein-neues-langes-passwort', ip: ip(), deviceSecret });
    expect(login.ok).toBe(true);
    const types = (await auditEventsAbout(t.db, person.id)).map((e) => e.type);
    expect(types).toContain('user.password-reset-requested');
    expect(types).toContain('user.password-reset');

    // single use
    expect(await resetPassword(t.db, { token, password: 'noch-ein-anderes-passwort' })).toEqual({ ok: false, reason: 'invalid-token' });
    expect(await isPasswordTokenUsable(t.db, token)).toBe(false);
  });

  test('gives the same answer for an unknown address and sends nothing', async () => {
    const before = await t.db.select().from(mailMessageTable);
    expect(await requestPasswordReset(t.db, { email: 'niemand@test.example', ip: ip() })).toEqual({ ok: true });
    expect(await t.db.select().from(mailMessageTable)).toHaveLength(before.length);
  });

  test('sends nothing to a deactivated account, with the same answer', async () => {
    const gone = await makeUser(t.db, { tenant: home.slug });
    await t.db.update(userTable).set({ status: 'disabled' }).where(eq(userTable.id, gone.id));
    expect(await requestPasswordReset(t.db, { email: gone.email, ip: ip() })).toEqual({ ok: true });
    expect(await t.db.select().from(mailMessageTable).where(eq(mailMessageTable.userId, gone.id))).toHaveLength(0);
  });

  test('refuses an expired token', async () => {
    const now = new Date();
    await requestPasswordReset(t.db, { email: person.email, ip: ip(), now });
    const token = tokenOf((await deliver())[0]);
    const later = new Date(now.getTime() + 61 * 60_000);
    expect(await isPasswordTokenUsable(t.db, token, later)).toBe(false);
    expect(await resetPassword(t.db, { token, password: 'abgelaufen-aber-lang', now: later })).toEqual({
      ok: false,
      reason: 'invalid-token',
    });
  });

  test('refuses tampered tokens (same length, other secret; other id; malformed)', async () => {
    await requestPasswordReset(t.db, { email: person.email, ip: ip() });
    const token = tokenOf((await deliver())[0]);
    const [id, secret] = token.split('.') as [string, string];
    const flip = (s: string): string => `${s.slice(0, -1)}${s.endsWith('a') ? 'b' : 'a'}`;
    for (const bad of [`${id}.${flip(secret)}`, `${flip(id)}.${secret}`, `${id}.${secret}x`, '', 'abc', `${id}`])
      expect(await resetPassword(t.db, { token: bad, password: 'manipuliert-aber-lang' })).toEqual({ ok: false, reason: 'invalid-token' });
    // the genuine token still works afterwards
    expect((await resetPassword(t.db, { token, password: 'wieder-ein-passwort' })).ok).toBe(true);
  });

  test('a newer link ends the older one', async () => {
    const p = await makeUser(t.db, { tenant: home.slug });
    await requestPasswordReset(t.db, { email: p.email, ip: ip() });
    const first = tokenOf((await deliver())[0]);
    await requestPasswordReset(t.db, { email: p.email, ip: ip() });
    const second = tokenOf((await deliver())[0]);
    expect(await isPasswordTokenUsable(t.db, first)).toBe(false);
    expect(await isPasswordTokenUsable(t.db, second)).toBe(true);
  });

  test('refuses a weak password and keeps the token usable', async () => {
    const p = await makeUser(t.db, { tenant: home.slug });
    await requestPasswordReset(t.db, { email: p.email, ip: ip() });
    const token = tokenOf((await deliver())[0]);
    const r = await resetPassword(t.db, { token, password: 'kurz' });
    expect(r).toMatchObject({ ok: false, reason: 'weak' });
    expect(await isPasswordTokenUsable(t.db, token)).toBe(true);
  });

  test('sends nothing in a district where password login is off, and refuses its open tokens', async () => {
    const sso = await makeTenant(t.db);
    const ssoPerson = await makeUser(t.db, { tenant: sso.slug });
    await requestPasswordReset(t.db, { email: ssoPerson.email, ip: ip() });
    const token = tokenOf((await deliver())[0]);
    await t.db
      .update(tenantTable)
      .set({
        settings: { sso: { enabled: true, issuer: 'https://sso.landkreis.example/realms/kiko', clientId: 'kiko', passwordLogin: false } },
      })
      .where(eq(tenantTable.id, sso.id));
    expect(await requestPasswordReset(t.db, { email: ssoPerson.email, ip: ip() })).toEqual({ ok: true });
    expect(await deliver()).toHaveLength(0);
    expect(await resetPassword(t.db, { token, password: 'sso-district-passwort' })).toEqual({ ok: false, reason: 'invalid-token' });
  });

  test('limits requests per source address and mails per account', async () => {
    const flood = await makeUser(t.db, { tenant: home.slug });
    const from = '10.9.9.9';
    for (let i = 0; i < RESET_LIMITS.account.points + 2; i++) await requestPasswordReset(t.db, { email: flood.email, ip: from });
    const mails = await t.db.select().from(mailMessageTable).where(eq(mailMessageTable.userId, flood.id));
    expect(mails).toHaveLength(RESET_LIMITS.account.points);
    for (let i = RESET_LIMITS.account.points + 2; i < RESET_LIMITS.source.points; i++)
      await requestPasswordReset(t.db, { email: `x${i}@test.example`, ip: from });
    const limited = await requestPasswordReset(t.db, { email: 'y@test.example', ip: from });
    expect(limited).toMatchObject({ ok: false, reason: 'rate-limited' });
    await deliver();
  });
});

describe('sendInvitation', () => {
  test('mails a set-your-password link valid for 7 days that a new person uses once', async () => {
    const admin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
    const newbie = await makeUser(t.db, { tenant: home.slug, name: 'Nora Neu' });
    const { expiresAt } = await sendInvitation(personContext(t.db, admin, content), newbie.id);
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const [mail] = await deliver();
    expect(mail?.subject).toMatch(/^Einladung zu KIKO – Landkreis /);
    expect(mail?.text).toContain('Guten Tag Nora Neu');
    const token = tokenOf(mail);
    expect((await resetPassword(t.db, { token, password: 'mein-erstes-passwort' })).ok).toBe(true);
    expect((await auditEventsAbout(t.db, newbie.id)).map((e) => e.type)).toEqual(
      expect.arrayContaining(['user.invited', 'user.password-set']),
    );
    expect((await resetPassword(t.db, { token, password: 'mein-zweites-passwort' })).ok).toBe(false);
  });

  test('refuses learners, other districts, tampered ids and districts without password login', async () => {
    const other = await makeTenant(t.db);
    const foreignAdmin = await makeUser(t.db, { tenant: other.slug, roles: ['admin'] });
    const learner = await makeUser(t.db, { tenant: home.slug });
    await expect(sendInvitation(personContext(t.db, learner, content), person.id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(sendInvitation(personContext(t.db, foreignAdmin, content), person.id)).rejects.toBeInstanceOf(NotFoundError);
    const admin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
    await expect(
      sendInvitation(personContext(t.db, admin, content), `${person.id.slice(0, -1)}${person.id.endsWith('0') ? '1' : '0'}`),
    ).rejects.toBeInstanceOf(NotFoundError);
    await t.db
      .update(tenantTable)
      .set({
        settings: { sso: { enabled: true, issuer: 'https://sso.landkreis.example/realms/kiko', clientId: 'kiko', passwordLogin: false } },
      })
      .where(eq(tenantTable.id, other.id));
    const otherPerson = await makeUser(t.db, { tenant: other.slug });
    await expect(sendInvitation(personContext(t.db, foreignAdmin, content), otherPerson.id)).rejects.toBeInstanceOf(ConflictError);
    expect(await deliver()).toHaveLength(0);
  });
});

describe('erasePerson', () => {
  test('removes open password tokens and the address and text of the person’s mails', async () => {
    const { erasePerson } = await import('../../src/lib/server/users/erase-person.ts');
    const gone = await makeUser(t.db, { tenant: home.slug, name: 'Erika Erased' });
    await requestPasswordReset(t.db, { email: gone.email, ip: ip() });
    const admin = await makeUser(t.db, { tenant: home.slug, roles: ['admin'] });
    await erasePerson(personContext(t.db, admin, content), gone.id);
    expect(await t.db.select().from(passwordTokenTable).where(eq(passwordTokenTable.userId, gone.id))).toHaveLength(0);
    const [mail] = await t.db.select().from(mailMessageTable).where(eq(mailMessageTable.userId, gone.id));
    expect(mail?.toAddress).not.toContain(gone.email);
    expect(mail?.bodyText).toBe('');
    expect(JSON.stringify(mail)).not.toContain('Erika');
    expect(mail?.status).toBe('failed');
    expect(await deliver()).toHaveLength(0);
  });
});
