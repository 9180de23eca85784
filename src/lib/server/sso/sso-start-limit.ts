/**
 * Starting a login with the provider writes a pending-login row before anyone is known, so starts are limited per
 * source address (rate-limiter-flexible on the rate_limits table, as the password login): a script cannot fill the
 * table, while a whole district behind one proxy still gets in (set KIKO_TRUST_PROXY so the address is the person's).
 */
import type { Db } from '../../../../db/client.ts';
import { consumePoint, dbLimiter } from '../http/rate-limit.ts';

/** Login starts allowed per source address within the window. */
export const SSO_START_LIMIT = { points: 300, windowSeconds: 10 * 60 } as const;

/** Counts one start; false when the address has used up its starts for now. */
export async function allowSsoStart(db: Db, ip: string): Promise<boolean> {
  return (await consumePoint(dbLimiter(db, 'sso_start_src', SSO_START_LIMIT), ip)) === null;
}
