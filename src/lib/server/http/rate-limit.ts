/**
 * Limits counted in the database (rate-limiter-flexible on the rate_limits table), so every process sharing the
 * database counts together. One limiter per database handle and key prefix.
 *
 * A refusal is also remembered in the process until the window it was counted in ends: a client that keeps knocking
 * once its window is used up (or everyone, for a limit of the whole server) is answered without a database round trip.
 * No process can count a used-up window back down, so the remembered refusal is the one the database would give.
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

/** Keys refused per limiter, with the time (ms since the epoch) their window ends. */
const refusedUntil = new WeakMap<RateLimiterDrizzle, Map<string, number>>();
/** Refused keys kept per limiter; beyond it the ended windows are dropped, then all (forgetting costs a round trip). */
const MAX_REMEMBERED = 10_000;

/** The refusal `key` got from the database while its window lasts, or null (nothing counted). */
export function knownRefusal(limiter: RateLimiterDrizzle, key: string, now: number = Date.now()): RateLimiterRes | null {
  const until = refusedUntil.get(limiter)?.get(key);
  if (until === undefined) return null;
  if (until <= now) {
    refusedUntil.get(limiter)?.delete(key);
    return null;
  }
  return new RateLimiterRes(0, until - now);
}

function rememberRefusal(limiter: RateLimiterDrizzle, key: string, refusal: RateLimiterRes): void {
  let keys = refusedUntil.get(limiter);
  if (!keys) {
    keys = new Map();
    refusedUntil.set(limiter, keys);
  }
  const now = Date.now();
  if (keys.size >= MAX_REMEMBERED) {
    for (const [k, until] of keys) if (until <= now) keys.delete(k);
    if (keys.size >= MAX_REMEMBERED) keys.clear();
  }
  keys.set(key, now + refusal.msBeforeNext);
}

/** Counts one point for `key`: null when allowed, otherwise the refusal (with the time until the next point). */
export async function consumePoint(limiter: RateLimiterDrizzle, key: string): Promise<RateLimiterRes | null> {
  const known = knownRefusal(limiter, key);
  if (known) return known;
  try {
    await limiter.consume(key, 1);
    return null;
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    rememberRefusal(limiter, key, error);
    return error;
  }
}
