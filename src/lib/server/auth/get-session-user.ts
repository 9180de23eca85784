/**
 * Resolves a session cookie to its session and user, with a short per-process cache: a page view then
 * costs no database round trip for authentication. Entries live CACHE_TTL_MS, so a logout in another
 * server process, a disabled account or changed roles take effect within that time; a logout in this
 * process takes effect at once (forgetSession).
 */
import { createHash } from 'node:crypto';
import type { Db } from '../../../../db/client.ts';
import { type AuthUser, getAuthUser } from '../users/get-auth-user.ts';
import { sessionCache } from './session-cache.ts';
import { type SessionPolicy, type SessionRecord, validateSessionToken } from './sessions.ts';

export const CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 20_000;

const cache = sessionCache;

const keyOf = (token: string): string => createHash('sha256').update(token).digest('base64url');

export async function getSessionUser(
  db: Db,
  token: string | undefined,
  policy: SessionPolicy,
  now = Date.now(),
): Promise<{ session: SessionRecord; user: AuthUser } | null> {
  if (!token) return null;
  const key = keyOf(token);
  const hit = cache.get(key);
  if (hit && hit.until > now) return hit;
  cache.delete(key);
  const session = await validateSessionToken(db, token, policy, new Date(now));
  const user = session ? await getAuthUser(db, session.userId) : null;
  if (!session || !user) return null;
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  const entry = { session, user, until: now + CACHE_TTL_MS };
  cache.set(key, entry);
  return entry;
}
