/**
 * Resolves a session cookie to its session and user, with a short per-process cache: a page view then
 * costs no database round trip for authentication. Entries live CACHE_TTL_MS, so a disabled account or
 * changed roles take effect within that time; a logout takes effect at once in every server process
 * (forgetSession). On a cache miss session, user, tenant and roles come from one statement.
 */
import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { perDatabase } from '../../../../db/per-database.ts';
import { sessionTable, tenantTable, type UserRole, userRoleTable, userTable } from '../../../../db/schema/index.ts';
import { type AuthUser, toAuthUser } from '../users/get-auth-user.ts';
import { sessionCache } from './session-cache.ts';
import { parseSessionToken, verifySecret } from './session-token.ts';
import type { SessionPolicy, SessionRecord } from './sessions.ts';

export const CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 20_000;

const cache = sessionCache;

const keyOf = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** Session, user, tenant and the user's roles (as a JSON array) by session id: one statement, built once per database. */
const sessionLookup = perDatabase((db: Db) =>
  db
    .select({
      session: sessionTable,
      user: userTable,
      tenant: tenantTable,
      roles: sql<string>`(select json_group_array(${userRoleTable.role}) from ${userRoleTable} where ${userRoleTable.userId} = ${userTable.id})`,
    })
    .from(sessionTable)
    .innerJoin(userTable, eq(userTable.id, sessionTable.userId))
    .leftJoin(tenantTable, eq(tenantTable.id, userTable.tenantId))
    .where(eq(sessionTable.id, sql.placeholder('id')))
    .limit(1)
    .prepare(),
);

/**
 * The session for a cookie value with its user, or null when the token is malformed, unknown, has a wrong
 * secret or has expired (expired sessions are deleted), or when the account or its district is not active.
 * Refreshes lastUsedAt at most once a minute.
 */
async function loadSessionUser(
  db: Db,
  token: string,
  policy: SessionPolicy,
  now: Date,
): Promise<{ session: SessionRecord; user: AuthUser } | null> {
  const parts = parseSessionToken(token);
  if (!parts) return null;
  const row = (await sessionLookup(db).all({ id: parts.id }))[0];
  if (!row || !verifySecret(parts.secret, new Uint8Array(row.session.secretHash))) return null;
  const t = now.getTime();
  const s = row.session;
  if (t - s.lastUsedAt.getTime() >= policy.idleMs || t - s.createdAt.getTime() >= policy.absoluteMs) {
    await db.delete(sessionTable).where(eq(sessionTable.id, s.id));
    return null;
  }
  const user = toAuthUser(row.user, row.tenant, JSON.parse(row.roles) as UserRole[]);
  if (!user) return null;
  let lastUsedAt = s.lastUsedAt;
  if (t - s.lastUsedAt.getTime() > 60_000) {
    lastUsedAt = now;
    await db.update(sessionTable).set({ lastUsedAt }).where(eq(sessionTable.id, s.id));
  }
  return { session: { id: s.id, userId: s.userId, createdAt: s.createdAt, lastUsedAt }, user };
}

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
  const found = await loadSessionUser(db, token, policy, new Date(now));
  if (!found) return null;
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  const entry = { ...found, until: now + CACHE_TTL_MS };
  cache.set(key, entry);
  return entry;
}
