/**
 * Limits counted in the database (rate-limiter-flexible on the rate_limits table), so every process sharing the
 * database counts together. One limiter per database handle and key prefix.
 */
import { RateLimiterDrizzle, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../../../../db/client.ts';
import { rateLimitTable } from '../../../../db/schema/index.ts';

const limiters = new WeakMap<Db, Map<string, RateLimiterDrizzle>>();

/** The limiter of `prefix`: `points` per `windowSeconds` for each key. */
export function dbLimiter(db: Db, prefix: string, limit: { points: number; windowSeconds: number }): RateLimiterDrizzle {
  let byPrefix = limiters.get(db);
  if (!byPrefix) {
    byPrefix = new Map();
    limiters.set(db, byPrefix);
  }
  let limiter = byPrefix.get(prefix);
  if (!limiter) {
    limiter = new RateLimiterDrizzle({
      storeClient: db,
      schema: rateLimitTable,
      keyPrefix: prefix,
      points: limit.points,
      duration: limit.windowSeconds,
      clearExpiredByTimeout: false,
    });
    byPrefix.set(prefix, limiter);
  }
  return limiter;
}

/** Counts one point for `key`: null when allowed, otherwise the refusal (with the time until the next point). */
export async function consumePoint(limiter: RateLimiterDrizzle, key: string): Promise<RateLimiterRes | null> {
  try {
    await limiter.consume(key, 1);
    return null;
  } catch (error) {
    if (error instanceof RateLimiterRes) return error;
    throw error;
  }
}
