/**
 * "Passwort vergessen": queues a mail with a single-use link for an active account with password login. The answer
 * is always the same, whether the address belongs to an account or not (no account enumeration); only a source
 * address that asks too often is told to wait. Per address of an account at most RESET_LIMITS.account mails an hour
 * are sent (more requests get the same answer, so nobody can flood a mailbox).
 */
import { and, eq } from 'drizzle-orm';
import { RateLimiterDrizzle, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../../../../db/client.ts';
import { rateLimitTable, tenantTable, userTable } from '../../../../db/schema/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { publicLink } from '../mail/mail-links.ts';
import { queueMail } from '../mail/queue-mail.ts';
import { isPasswordLoginOn } from './password-login-setting.ts';
import { resetMail } from './password-mails.ts';
import { createPasswordToken } from './password-tokens.ts';

export const RESET_LIMITS = {
  /** Requests from one source address over all accounts. */
  source: { points: 20, windowSeconds: 60 * 60 },
  /** Mails to one account. */
  account: { points: 3, windowSeconds: 60 * 60 },
} as const;

const limiters = new WeakMap<Db, { source: RateLimiterDrizzle; account: RateLimiterDrizzle }>();
function limitersFor(db: Db): { source: RateLimiterDrizzle; account: RateLimiterDrizzle } {
  let l = limiters.get(db);
  if (!l) {
    const make = (prefix: string, limit: { points: number; windowSeconds: number }): RateLimiterDrizzle =>
      new RateLimiterDrizzle({
        storeClient: db,
        schema: rateLimitTable,
        keyPrefix: prefix,
        points: limit.points,
        duration: limit.windowSeconds,
        clearExpiredByTimeout: false,
      });
    l = { source: make('pwreset_src', RESET_LIMITS.source), account: make('pwreset_account', RESET_LIMITS.account) };
    limiters.set(db, l);
  }
  return l;
}

export type ResetRequestResult = { ok: true } | { ok: false; reason: 'rate-limited'; retryAfterSeconds: number };

async function consumed(limiter: RateLimiterDrizzle, key: string): Promise<RateLimiterRes | null> {
  try {
    await limiter.consume(key, 1);
    return null;
  } catch (e) {
    if (e instanceof RateLimiterRes) return e;
    throw e;
  }
}

export async function requestPasswordReset(db: Db, input: { email: string; ip: string; now?: Date }): Promise<ResetRequestResult> {
  const now = input.now ?? new Date();
  const email = input.email.trim().toLowerCase();
  const l = limitersFor(db);
  const refused = await consumed(l.source, input.ip);
  if (refused) return { ok: false, reason: 'rate-limited', retryAfterSeconds: Math.max(1, Math.ceil(refused.msBeforeNext / 1000)) };
  // counted for every address asked for, known or not, so the limit says nothing about existence
  if (await consumed(l.account, email)) return { ok: true };

  const [row] = await db
    .select({
      id: userTable.id,
      name: userTable.name,
      tenantId: userTable.tenantId,
      status: userTable.status,
      tenantStatus: tenantTable.status,
    })
    .from(userTable)
    .leftJoin(tenantTable, eq(tenantTable.id, userTable.tenantId))
    .where(and(eq(userTable.email, email)));
  if (row?.status !== 'active' || (row.tenantId && row.tenantStatus !== 'active')) return { ok: true };
  if (!(await isPasswordLoginOn(db, row.tenantId))) return { ok: true };
  await db.transaction(async (tx) => {
    const { token, expiresAt } = await createPasswordToken(tx, { userId: row.id, tenantId: row.tenantId, purpose: 'reset', now });
    const mail = resetMail({ name: row.name, link: publicLink(`/passwort-neu?token=${token}`), expiresAt });
    await queueMail(tx, { tenantId: row.tenantId, userId: row.id, to: email, template: 'password-reset', ...mail }, { now });
    await appendAuditEvent(tx, {
      tenantId: row.tenantId,
      actorId: row.id,
      type: 'user.password-reset-requested',
      subjectId: row.id,
      data: {},
      at: now,
    });
  });
  return { ok: true };
}
