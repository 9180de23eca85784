/**
 * Password login: rate-limited per account and per IP, no user enumeration (the same message and
 * a comparable argon2 verification for unknown accounts and wrong passwords), a new session each time.
 */
import { eq } from 'drizzle-orm';
import { RateLimiterDrizzle, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../../../../db/client.ts';
import { rateLimitTable, userTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { type AuthUser, getAuthUser } from '../users/get-auth-user.ts';
import { verifyAgainstDummy, verifyPassword } from './password.ts';
import { createSession } from './sessions.ts';

export type LoginResult =
  | { ok: true; user: AuthUser; token: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'rate-limited'; retryAfterSeconds: number };

/** Failed logins allowed per account and per IP within the window before blocking. */
export const LOGIN_LIMITS = { perAccount: 5, perIp: 50, windowSeconds: 15 * 60 } as const;

const limiters = new WeakMap<Db, { account: RateLimiterDrizzle; ip: RateLimiterDrizzle }>();
function limitersFor(db: Db): { account: RateLimiterDrizzle; ip: RateLimiterDrizzle } {
  let l = limiters.get(db);
  if (!l) {
    const common = { storeClient: db, schema: rateLimitTable, duration: LOGIN_LIMITS.windowSeconds, clearExpiredByTimeout: false };
    l = {
      account: new RateLimiterDrizzle({ ...common, keyPrefix: 'login_acct', points: LOGIN_LIMITS.perAccount }),
      ip: new RateLimiterDrizzle({ ...common, keyPrefix: 'login_ip', points: LOGIN_LIMITS.perIp }),
    };
    limiters.set(db, l);
  }
  return l;
}

async function blockedFor(limiter: RateLimiterDrizzle, key: string, max: number): Promise<number> {
  const res = await limiter.get(key);
  return res && res.consumedPoints >= max ? Math.ceil(res.msBeforeNext / 1000) : 0;
}

export async function loginWithPassword(db: Db, input: { email: string; password: string; ip: string }): Promise<LoginResult> {
  const email = input.email.trim().toLowerCase();
  const { account, ip } = limitersFor(db);
  const wait = Math.max(await blockedFor(account, email, LOGIN_LIMITS.perAccount), await blockedFor(ip, input.ip, LOGIN_LIMITS.perIp));
  if (wait > 0) return { ok: false, reason: 'rate-limited', retryAfterSeconds: wait };

  const row = await db.query.userTable.findFirst({ where: eq(userTable.email, email) });
  const valid =
    row?.passwordHash && row.status === 'active'
      ? await verifyPassword(row.passwordHash, input.password)
      : await verifyAgainstDummy(input.password);
  const user = valid && row ? await getAuthUser(db, row.id) : null;
  if (!user) {
    await Promise.all([account.penalty(email, 1), ip.penalty(input.ip, 1)]).catch((e) => {
      if (!(e instanceof RateLimiterRes)) throw e;
    });
    return { ok: false, reason: 'invalid' };
  }
  await account.delete(email);
  const { token } = await createSession(db, user.id);
  await db.transaction((tx) =>
    appendAuditEvent(tx, { tenantId: user.tenant?.id ?? null, actorId: user.id, type: 'user.login', subjectId: user.id, data: {} }),
  );
  return { ok: true, user, token };
}
