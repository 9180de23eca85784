/**
 * Session lifecycle: create on login, delete on logout; validation per request (sliding idle expiry plus
 * an absolute lifetime) is in get-session-user.ts. The database stores only the SHA-256 of the secret.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { sessionTable } from '../../../../db/schema/index.ts';
import { forgetSession } from './session-cache.ts';
import { generateSessionToken } from './session-token.ts';

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

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessionTable).where(eq(sessionTable.id, sessionId));
  forgetSession(sessionId);
}
