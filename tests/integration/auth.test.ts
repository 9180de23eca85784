import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditEventTable, auditPersonalTable, sessionTable, tenantTable, userTable } from '../../db/schema/index.ts';
import { getSessionUser } from '../../src/lib/server/auth/get-session-user.ts';
import { LOGIN_LIMITS, loginWithPassword } from '../../src/lib/server/auth/login.ts';
import { generateSessionToken, parseSessionToken, verifySecret } from '../../src/lib/server/auth/session-token.ts';
import { createSession, deleteSession } from '../../src/lib/server/auth/sessions.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let t: TestDb;
const policy = { idleMs: 60 * 60_000, absoluteMs: 24 * 60 * 60_000 };
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.cleanup());

describe('generateSessionToken', () => {
  test('returns an id.secret token whose secret has at least 128 bits and is stored only as a hash', () => {
    const { token, id, secretHash } = generateSessionToken();
    const parts = parseSessionToken(token);
    expect(parts?.id).toBe(id);
    expect((parts?.secret.length ?? 0) * 5).toBeGreaterThanOrEqual(128);
    expect(secretHash.length).toBe(32);
    expect(Buffer.from(secretHash).toString('utf8')).not.toContain(parts?.secret ?? 'x');
  });
  test('returns different tokens on every call', () => {
    expect(generateSessionToken().token).not.toBe(generateSessionToken().token);
  });
});

describe('verifySecret', () => {
  test('returns false for a different secret of the same length', () => {
    const { token, secretHash } = generateSessionToken();
    const secret = parseSessionToken(token)?.secret as string;
    const other = (secret[0] === 'a' ? 'b' : 'a') + secret.slice(1);
    expect(verifySecret(secret, secretHash)).toBe(true);
    expect(verifySecret(other, secretHash)).toBe(false);
  });
});

describe('getSessionUser (cache misses)', () => {
  test('returns the session for a valid token and null after logout', async () => {
    const tenant = await makeTenant(t.db);
    const user = await makeUser(t.db, { tenant: tenant.slug });
    const { token } = await createSession(t.db, user.id);
    const s = await getSessionUser(t.db, token, policy);
    expect(s?.session.userId).toBe(user.id);
    expect(s?.user).toEqual(user);
    await deleteSession(t.db, s?.session.id as string);
    expect(await getSessionUser(t.db, token, policy)).toBeNull();
  });
  test('returns null for a tampered secret of the same length, malformed and missing tokens', async () => {
    const tenant = await makeTenant(t.db);
    const user = await makeUser(t.db, { tenant: tenant.slug });
    const { token } = await createSession(t.db, user.id);
    const last = token.at(-1) === 'a' ? 'b' : 'a';
    expect(await getSessionUser(t.db, token.slice(0, -1) + last, policy)).toBeNull();
    expect(await getSessionUser(t.db, 'kaputt', policy)).toBeNull();
    expect(await getSessionUser(t.db, `${token}.x`, policy)).toBeNull();
    expect(await getSessionUser(t.db, undefined, policy)).toBeNull();
  });
  test('returns null and deletes the session after the idle timeout or the absolute lifetime', async () => {
    const tenant = await makeTenant(t.db);
    const user = await makeUser(t.db, { tenant: tenant.slug });
    const start = new Date('2026-01-01T08:00:00Z');
    const idle = await createSession(t.db, user.id, start);
    expect(await getSessionUser(t.db, idle.token, policy, start.getTime() + policy.idleMs + 1)).toBeNull();
    expect(await t.db.query.sessionTable.findFirst({ where: eq(sessionTable.id, idle.session.id) })).toBeUndefined();

    const busy = await createSession(t.db, user.id, start);
    // used every 30 minutes: sliding expiry keeps it alive, the absolute lifetime ends it
    let now = start.getTime();
    for (let i = 0; i < 47; i++) {
      now += 30 * 60_000;
      expect(await getSessionUser(t.db, busy.token, policy, now)).not.toBeNull();
    }
    now += 30 * 60_000;
    expect(await getSessionUser(t.db, busy.token, policy, now)).toBeNull();
  });
  test('returns the roles sorted, an operator without district, and null for a disabled account or a suspended district', async () => {
    const tenant = await makeTenant(t.db);
    const both = await makeUser(t.db, { tenant: tenant.slug, roles: ['multiplier', 'learner'] });
    expect((await getSessionUser(t.db, (await createSession(t.db, both.id)).token, policy))?.user.roles).toEqual(['learner', 'multiplier']);
    const operator = await makeUser(t.db, { roles: ['operator'] });
    expect((await getSessionUser(t.db, (await createSession(t.db, operator.id)).token, policy))?.user).toMatchObject({
      tenant: null,
      roles: ['operator'],
    });

    const disabled = await makeUser(t.db, { tenant: tenant.slug });
    const disabledToken = (await createSession(t.db, disabled.id)).token;
    await t.db.update(userTable).set({ status: 'disabled' }).where(eq(userTable.id, disabled.id));
    expect(await getSessionUser(t.db, disabledToken, policy)).toBeNull();

    const other = await makeTenant(t.db);
    const member = await makeUser(t.db, { tenant: other.slug });
    const memberToken = (await createSession(t.db, member.id)).token;
    await t.db.update(tenantTable).set({ status: 'suspended' }).where(eq(tenantTable.id, other.id));
    expect(await getSessionUser(t.db, memberToken, policy)).toBeNull();
  });
});

describe('loginWithPassword', () => {
  test('returns a new session on every login and records an audit event', async () => {
    const tenant = await makeTenant(t.db);
    const user = await makeUser(t.db, { tenant: tenant.slug });
    const a = await loginWithPassword(t.db, { email: user.email.toUpperCase(), password: 'richtiges-passwort', ip: '127.0.0.1' });
    const b = await loginWithPassword(t.db, { email: user.email, password: 'richtiges-passwort', ip: '127.0.0.1' });
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect(a.token).not.toBe(b.token);
    // the person is in the erasable personal part (audit chain v2), not in the entry itself
    const events = await t.db
      .select({ type: auditEventTable.type })
      .from(auditEventTable)
      .innerJoin(auditPersonalTable, eq(auditPersonalTable.seq, auditEventTable.seq))
      .where(eq(auditPersonalTable.personId, user.id));
    expect(events.filter((e) => e.type === 'user.login')).toHaveLength(2);
  });
  test('returns the same "invalid" result for an unknown account and a wrong password', async () => {
    const tenant = await makeTenant(t.db);
    const user = await makeUser(t.db, { tenant: tenant.slug });
    const wrong = await loginWithPassword(t.db, { email: user.email, password: 'falsches-passwort', ip: '10.0.0.1' });
    const unknown = await loginWithPassword(t.db, { email: 'niemand@test.example', password: 'falsches-passwort', ip: '10.0.0.1' });
    expect(wrong).toEqual({ ok: false, reason: 'invalid' });
    expect(unknown).toEqual(wrong);
  });
  test('returns rate-limited after too many failures for one account, even with the right password', async () => {
    const tenant = await makeTenant(t.db);
    const user = await makeUser(t.db, { tenant: tenant.slug });
    for (let i = 0; i < LOGIN_LIMITS.perAccount; i++)
      await loginWithPassword(t.db, { email: user.email, password: `falsch-${i}`, ip: `10.1.0.${i}` });
    const blocked = await loginWithPassword(t.db, { email: user.email, password: 'richtiges-passwort', ip: '10.1.0.99' });
    expect(blocked.ok).toBe(false);
    expect(!blocked.ok && blocked.reason).toBe('rate-limited');
    // another account is not affected
    const other = await makeUser(t.db, { tenant: tenant.slug });
    expect((await loginWithPassword(t.db, { email: other.email, password: 'richtiges-passwort', ip: '10.1.0.99' })).ok).toBe(true);
  });
  test('returns invalid for a disabled account', async () => {
    const tenant = await makeTenant(t.db);
    const user = await makeUser(t.db, { tenant: tenant.slug });
    const { userTable } = await import('../../db/schema/index.ts');
    await t.db.update(userTable).set({ status: 'disabled' }).where(eq(userTable.id, user.id));
    expect(await loginWithPassword(t.db, { email: user.email, password: 'richtiges-passwort', ip: '10.2.0.1' })).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });
});

describe('getSessionUser', () => {
  test('returns the user without a database round trip within the cache time, and null right after logout', async () => {
    const { getSessionUser, CACHE_TTL_MS } = await import('../../src/lib/server/auth/get-session-user.ts');
    const tenant = await makeTenant(t.db);
    const user = await makeUser(t.db, { tenant: tenant.slug });
    const { token, session } = await createSession(t.db, user.id);
    const now = Date.now();
    expect((await getSessionUser(t.db, token, policy, now))?.user.id).toBe(user.id);
    // removed behind the cache's back (another process): still accepted until the entry expires
    await t.db.delete(sessionTable).where(eq(sessionTable.id, session.id));
    expect((await getSessionUser(t.db, token, policy, now + 1))?.user.id).toBe(user.id);
    expect(await getSessionUser(t.db, token, policy, now + CACHE_TTL_MS + 1)).toBeNull();

    const second = await createSession(t.db, user.id);
    expect(await getSessionUser(t.db, second.token, policy, now)).not.toBeNull();
    await deleteSession(t.db, second.session.id);
    expect(await getSessionUser(t.db, second.token, policy, now + 1)).toBeNull();
  });
});
