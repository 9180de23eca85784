/**
 * Starting a login with the provider writes a pending-login row before anyone is known, so starts are limited per
 * source address (rate-limiter-flexible on the rate_limits table, as the password login): a script cannot fill the
 * table, while a whole district behind one proxy still gets in (set KIKO_TRUST_PROXY so the address is the person's).
 */
import { RateLimiterDrizzle, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../../../../db/client.ts';
import { rateLimitTable } from '../../../../db/schema/index.ts';

/** Login starts allowed per source address within the window. */
export const SSO_START_LIMIT = { points: 300, windowSeconds: 10 * 60 } as const;

const limiters = new WeakMap<Db, RateLimiterDrizzle>();

/** Counts one start; false when the address has used up its starts for now. */
export async function allowSsoStart(db: Db, ip: string): Promise<boolean> {
  let limiter = limiters.get(db);
  if (!limiter) {
    limiter = new RateLimiterDrizzle({
      storeClient: db,
      schema: rateLimitTable,
      keyPrefix: 'sso_start_src',
      points: SSO_START_LIMIT.points,
      duration: SSO_START_LIMIT.windowSeconds,
      clearExpiredByTimeout: false,
    });
    limiters.set(db, limiter);
  }
  try {
    await limiter.consume(ip, 1);
    return true;
  } catch (e) {
    if (e instanceof RateLimiterRes) return false;
    throw e;
  }
}
