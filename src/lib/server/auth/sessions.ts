/**
 * Session lifecycle: create on login, validate per request (sliding idle expiry plus an absolute
 * lifetime), delete on logout. The database stores only the SHA-256 of the secret.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { sessionTable } from '../../../../db/schema/index.ts';
import { forgetSession } from './session-cache.ts';
import { generateSessionToken, parseSessionToken, verifySecret } from './session-token.ts';

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: Date;
  lastUsedAt: Date;
}

export async function createSession(db: Db, userId: string, now = new Date()): Promise<{ token: string; session: SessionRecord }> {
  const { token, id, secretHash } = generateSessionToken();
  const session = { id, userId, createdAt: now, lastUsedAt: now };
  await db.insert(sessionTable).values({ ...session, secretHash: Buffer.from(secretHash) });
  return { token, session };
}

/**
 * Returns the session for a cookie value, or null when it is malformed, unknown, has a wrong
 * secret, or has expired (expired sessions are deleted). Refreshes lastUsedAt at most once a minute.
 */
export async function validateSessionToken(
  db: Db,
  token: string | undefined,
  policy: SessionPolicy,
  now = new Date(),
): Promise<SessionRecord | null> {
  const parts = parseSessionToken(token);
  if (!parts) return null;
  const row = await db.query.sessionTable.findFirst({ where: eq(sessionTable.id, parts.id) });
  if (!row) return null;
  if (!verifySecret(parts.secret, new Uint8Array(row.secretHash))) return null;
  const t = now.getTime();
  if (t - row.lastUsedAt.getTime() >= policy.idleMs || t - row.createdAt.getTime() >= policy.absoluteMs) {
    await db.delete(sessionTable).where(eq(sessionTable.id, row.id));
    return null;
  }
  let lastUsedAt = row.lastUsedAt;
  if (t - row.lastUsedAt.getTime() > 60_000) {
    lastUsedAt = now;
    await db.update(sessionTable).set({ lastUsedAt }).where(eq(sessionTable.id, row.id));
  }
  return { id: row.id, userId: row.userId, createdAt: row.createdAt, lastUsedAt };
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessionTable).where(eq(sessionTable.id, sessionId));
  forgetSession(sessionId);
}
