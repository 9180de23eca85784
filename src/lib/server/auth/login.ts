/**
 * Password login with the rate limits of OWASP's "Blocking Brute Force Attacks" and rate-limiter-flexible's
 * login-endpoint guide (https://github.com/animir/node-rate-limiter-flexible/wiki/Overall-example#login-endpoint-protection):
 *
 * - every attempt **consumes a point first** (one atomic upsert per limiter), so parallel guesses cannot all pass a
 *   check before the first failure is counted; a successful login gives its points back (`reward`) and resets the
 *   counter of this account from this source;
 * - the tight limit is per **account and source address together**: guesses from one address lock only that
 *   address for that account, never the owner elsewhere;
 * - a looser per-**account** limit slows guessing from many addresses; a browser with the owner's **device
 *   cookie** (device-cookie.ts) is counted per device instead, so the owner still gets in;
 * - a generous per-**address** limit over all accounts slows password spraying without locking a whole district
 *   behind one proxy (set KIKO_TRUST_PROXY so the address is the person's, not the proxy's).
 *
 * No user enumeration (same message and a comparable argon2 verification for unknown accounts), a new session each
 * time, and the session the browser sent before (another person's, in a shared browser) ends.
 */
import { eq } from 'drizzle-orm';
import { RateLimiterDrizzle, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../../../../db/client.ts';
import { rateLimitTable, sessionTable, userTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { isPasswordLoginAllowed } from '../sso/password-login-policy.ts';
import { type AuthUser, getAuthUser } from '../users/get-auth-user.ts';
import { createDeviceToken, verifyDeviceToken } from './device-cookie.ts';
import { verifyAgainstDummy, verifyPassword } from './password.ts';
import { parseSessionToken, verifySecret } from './session-token.ts';
import { createSession, deleteSession } from './sessions.ts';

export type LoginResult =
  | { ok: true; user: AuthUser; token: string; deviceToken: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'rate-limited'; retryAfterSeconds: number };

interface Limit {
  /** Failed attempts allowed within `windowSeconds`. */
  points: number;
  windowSeconds: number;
  /** How long the key stays blocked once it used up its points. */
  blockSeconds: number;
}

/** The login limits (attempts, not only failures, are counted first; success gives its point back). */
export const LOGIN_LIMITS = {
  /** One account from one source address (or one device cookie). */
  userAndSource: { points: 5, windowSeconds: 15 * 60, blockSeconds: 15 * 60 },
  /** One account from browsers without its device cookie, over all addresses. */
  account: { points: 20, windowSeconds: 60 * 60, blockSeconds: 60 * 60 },
  /** One source address over all accounts (a district proxy carries hundreds of people). */
  source: { points: 500, windowSeconds: 60 * 60, blockSeconds: 15 * 60 },
} as const satisfies Record<string, Limit>;

/** Key prefixes in `rate_limits` (unlock-login.ts removes an account's keys). */
export const LOGIN_KEY_PREFIX = { userAndSource: 'login_user_src', account: 'login_account', source: 'login_src' } as const;

type Limiters = Record<keyof typeof LOGIN_LIMITS, RateLimiterDrizzle>;
const limiters = new WeakMap<Db, Limiters>();
function limitersFor(db: Db): Limiters {
  let l = limiters.get(db);
  if (!l) {
    const make = (name: keyof typeof LOGIN_LIMITS): RateLimiterDrizzle =>
      new RateLimiterDrizzle({
        storeClient: db,
        schema: rateLimitTable,
        keyPrefix: LOGIN_KEY_PREFIX[name],
        points: LOGIN_LIMITS[name].points,
        duration: LOGIN_LIMITS[name].windowSeconds,
        blockDuration: LOGIN_LIMITS[name].blockSeconds,
        clearExpiredByTimeout: false,
      });
    l = { userAndSource: make('userAndSource'), account: make('account'), source: make('source') };
    limiters.set(db, l);
  }
  return l;
}

/** Key of an account together with its source: the device cookie's nonce when valid, else the address. */
export function userAndSourceKey(email: string, source: string): string {
  return `${email}|${source}`;
}

export interface LoginInput {
  email: string;
  password: string;
  /** Client address (behind a trusted proxy: from X-Forwarded-For, see trusted-proxy.ts). */
  ip: string;
  /** The device cookie of this account, if the browser sent one. */
  deviceToken?: string;
  /** Secret that signs device cookies (device-cookie.ts `deviceSecret`). */
  deviceSecret: Uint8Array;
  /** The session cookie the browser sent; that session ends when the login succeeds. */
  previousToken?: string;
}

export async function loginWithPassword(db: Db, input: LoginInput): Promise<LoginResult> {
  const email = input.email.trim().toLowerCase();
  const l = limitersFor(db);
  const device = verifyDeviceToken(input.deviceToken, email, input.deviceSecret);
  const charges: Array<[RateLimiterDrizzle, string]> = [
    [l.userAndSource, userAndSourceKey(email, device ? `device:${device}` : `ip:${input.ip}`)],
    [l.source, input.ip],
    ...(device ? [] : ([[l.account, email]] as Array<[RateLimiterDrizzle, string]>)),
  ];
  // consume first: the counter moves before the password is checked, so parallel attempts cannot overtake it
  const settled = await Promise.allSettled(charges.map(([limiter, key]) => limiter.consume(key, 1)));
  const refused = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  for (const reason of refused) if (!(reason instanceof RateLimiterRes)) throw reason;
  if (refused.length > 0) {
    // give back what this refused attempt took from the other limiters, it checked no password
    await Promise.all(charges.map(([limiter, key], i) => (settled[i]?.status === 'fulfilled' ? limiter.reward(key, 1) : null)));
    const waitMs = Math.max(...(refused as RateLimiterRes[]).map((r) => r.msBeforeNext));
    return { ok: false, reason: 'rate-limited', retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  const row = await db.query.userTable.findFirst({ where: eq(userTable.email, email) });
  // a district that switched password login off: its people are refused like unknown accounts (no enumeration)
  const passwordAllowed = row ? await isPasswordLoginAllowed(db, row.tenantId) : true;
  const valid =
    row?.passwordHash && row.status === 'active' && passwordAllowed
      ? await verifyPassword(row.passwordHash, input.password)
      : await verifyAgainstDummy(input.password);
  const user = valid && row ? await getAuthUser(db, row.id) : null;
  if (!user) return { ok: false, reason: 'invalid' };

  // success: the attempt's points come back, and this account's failures from this source are forgotten
  await Promise.all([l.userAndSource.delete(charges[0]?.[1] ?? ''), ...charges.slice(1).map(([limiter, key]) => limiter.reward(key, 1))]);
  await endPreviousSession(db, input.previousToken);
  const { token } = await createSession(db, user.id);
  await db.update(userTable).set({ lastLoginAt: new Date() }).where(eq(userTable.id, user.id));
  await db.transaction((tx) =>
    appendAuditEvent(tx, { tenantId: user.tenant?.id ?? null, actorId: user.id, type: 'user.login', subjectId: user.id, data: {} }),
  );
  return { ok: true, user, token, deviceToken: createDeviceToken(email, input.deviceSecret) };
}

/** Ends the session of a cookie the browser sent, when its secret matches (a guessed id ends nothing). */
export async function endPreviousSession(db: Db, token: string | undefined): Promise<void> {
  const parts = parseSessionToken(token);
  if (!parts) return;
  const row = await db.query.sessionTable.findFirst({ where: eq(sessionTable.id, parts.id) });
  if (!row || !verifySecret(parts.secret, new Uint8Array(row.secretHash))) return;
  await deleteSession(db, row.id);
}
