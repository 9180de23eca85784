/**
 * Login rate limits against a real libSQL file: consume first (parallel guesses cannot overtake the counter),
 * per account + source, a per-account limit that the owner's device cookie passes, admin unlock, and the
 * previous session of the browser ending on a new login.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getSessionUser } from '../../src/lib/server/auth/get-session-user.ts';
import { LOGIN_LIMITS, type LoginResult, loginWithPassword } from '../../src/lib/server/auth/login.ts';
import { createSession } from '../../src/lib/server/auth/sessions.ts';
import { unlockLogin } from '../../src/lib/server/auth/unlock-login.ts';
import { makeTenant, makeUser } from '../setup/factories.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let t: TestDb;
let tenant: { id: string; slug: string };
const secret = randomBytes(32);
const policy = { idleMs: 60 * 60_000, absoluteMs: 24 * 60 * 60_000 };
const RIGHT = 'richtiges-passwort';
beforeAll(async () => {
  t = await createTestDb();
  tenant = await makeTenant(t.db);
});
afterAll(() => t.cleanup());

const login = (
  email: string,
  password: string,
  ip: string,
  more: { deviceToken?: string; previousToken?: string } = {},
): Promise<LoginResult> => loginWithPassword(t.db, { email, password, ip, deviceSecret: secret, ...more });

describe('loginWithPassword (rate limits)', () => {
  test('returns at most the allowed number of password checks for 100 parallel guesses, the right one included', async () => {
    const user = await makeUser(t.db, { tenant: tenant.slug });
    const rightAt = 37;
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => login(user.email, i === rightAt ? RIGHT : `falsch-${i}`, '198.51.100.7')),
    );
    const checked = results.filter((r) => r.ok || r.reason === 'invalid').length;
    const limited = results.filter((r) => !r.ok && r.reason === 'rate-limited').length;
    expect(checked).toBeLessThanOrEqual(LOGIN_LIMITS.userAndSource.points);
    expect(limited).toBeGreaterThanOrEqual(100 - LOGIN_LIMITS.userAndSource.points);
  });

  test('returns ok for the owner from another address after an attacker locked account + attacker address', async () => {
    const user = await makeUser(t.db, { tenant: tenant.slug });
    for (let i = 0; i < LOGIN_LIMITS.userAndSource.points + 2; i++) await login(user.email, `falsch-${i}`, '203.0.113.66');
    const attacker = await login(user.email, RIGHT, '203.0.113.66');
    expect(attacker).toMatchObject({ ok: false, reason: 'rate-limited' });
    expect((await login(user.email, RIGHT, '192.0.2.10')).ok).toBe(true);
  });

  test('returns ok for many colleagues behind one district proxy address although 60 of them mistyped once', async () => {
    const proxy = '10.20.30.40';
    for (let i = 0; i < 60; i++) {
      const colleague = await makeUser(t.db, { tenant: tenant.slug });
      expect(await login(colleague.email, 'vertippt', proxy)).toEqual({ ok: false, reason: 'invalid' });
    }
    const next = await makeUser(t.db, { tenant: tenant.slug });
    expect((await login(next.email, RIGHT, proxy)).ok).toBe(true);
  });

  test('returns rate-limited with the time to wait once guesses from many addresses hit the account limit, but lets the owner pass with the device cookie', async () => {
    const user = await makeUser(t.db, { tenant: tenant.slug });
    const first = await login(user.email, RIGHT, '192.0.2.20');
    expect(first.ok).toBe(true);
    const deviceToken = first.ok ? first.deviceToken : '';
    // a distributed guesser: a few tries from each of many addresses
    for (let i = 0; i < LOGIN_LIMITS.account.points + 1; i++) await login(user.email, `falsch-${i}`, `198.18.${i}.1`);
    const stranger = await login(user.email, RIGHT, '192.0.2.21');
    expect(stranger).toMatchObject({ ok: false, reason: 'rate-limited' });
    if (!stranger.ok && stranger.reason === 'rate-limited') {
      expect(stranger.retryAfterSeconds).toBeGreaterThan(0);
      expect(stranger.retryAfterSeconds).toBeLessThanOrEqual(LOGIN_LIMITS.account.blockSeconds);
    }
    expect((await login(user.email, RIGHT, '192.0.2.21', { deviceToken })).ok).toBe(true);
    // the cookie is bound to its account: another account's cookie does not help
    const other = await makeUser(t.db, { tenant: tenant.slug });
    for (let i = 0; i < LOGIN_LIMITS.account.points + 1; i++) await login(other.email, `falsch-${i}`, `198.19.${i}.1`);
    expect(await login(other.email, RIGHT, '192.0.2.22', { deviceToken })).toMatchObject({ ok: false, reason: 'rate-limited' });
    // a forged cookie of the same length does not help either
    const forged = `${deviceToken.slice(0, -1)}${deviceToken.endsWith('A') ? 'B' : 'A'}`;
    expect(await login(other.email, RIGHT, '192.0.2.22', { deviceToken: forged })).toMatchObject({ ok: false, reason: 'rate-limited' });
  });

  test('returns ok after an admin lifted the lock (verb and CLI)', async () => {
    const user = await makeUser(t.db, { tenant: tenant.slug });
    for (let i = 0; i < LOGIN_LIMITS.userAndSource.points + 1; i++) await login(user.email, `falsch-${i}`, '192.0.2.30');
    expect(await login(user.email, RIGHT, '192.0.2.30')).toMatchObject({ ok: false, reason: 'rate-limited' });
    const admin = await makeUser(t.db, { tenant: tenant.slug, roles: ['learner', 'admin'] });
    const learner = await makeUser(t.db, { tenant: tenant.slug });
    await expect(unlockLogin(t.db, learner, { email: user.email })).rejects.toMatchObject({ status: 403 });
    const otherAdmin = await makeUser(t.db, { tenant: (await makeTenant(t.db)).slug, roles: ['learner', 'admin'] });
    await expect(unlockLogin(t.db, otherAdmin, { email: user.email })).rejects.toMatchObject({ status: 404 });
    expect((await unlockLogin(t.db, admin, { email: user.email.toUpperCase() })).removed).toBeGreaterThan(0);
    expect((await login(user.email, RIGHT, '192.0.2.30')).ok).toBe(true);

    for (let i = 0; i < LOGIN_LIMITS.userAndSource.points + 1; i++) await login(user.email, `falsch-${i}`, '192.0.2.31');
    const cli = spawnSync(process.execPath, ['bin/kiko.mjs', 'user', 'unlock', '--email', user.email], {
      env: { ...process.env, DATABASE_URL: t.url, NODE_ENV: 'test' },
      encoding: 'utf8',
    });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('entsperrt');
    expect((await login(user.email, RIGHT, '192.0.2.31')).ok).toBe(true);
  });
});

describe('loginWithPassword (previous session)', () => {
  test('ends the session of the cookie the browser sent when another person logs in', async () => {
    const first = await makeUser(t.db, { tenant: tenant.slug });
    const second = await makeUser(t.db, { tenant: tenant.slug });
    const earlier = await createSession(t.db, first.id);
    expect(await getSessionUser(t.db, earlier.token, policy)).not.toBeNull();
    const r = await login(second.email, RIGHT, '192.0.2.40', { previousToken: earlier.token });
    expect(r.ok).toBe(true);
    expect(await getSessionUser(t.db, earlier.token, policy, Date.now() + 60_000)).toBeNull();
  });
  test('keeps a session whose secret does not match (a guessed id ends nothing)', async () => {
    const first = await makeUser(t.db, { tenant: tenant.slug });
    const second = await makeUser(t.db, { tenant: tenant.slug });
    const earlier = await createSession(t.db, first.id);
    const wrong = `${earlier.token.slice(0, -1)}${earlier.token.endsWith('a') ? 'b' : 'a'}`;
    expect((await login(second.email, RIGHT, '192.0.2.41', { previousToken: wrong })).ok).toBe(true);
    expect(await getSessionUser(t.db, earlier.token, policy, Date.now() + 60_000)).not.toBeNull();
  });
});
