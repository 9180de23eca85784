/**
 * Per-process cache of resolved sessions (see get-session-user.ts); logout evicts at once.
 * When KIKO runs several server processes (KIKO_WORKERS), an eviction is relayed through the cluster's
 * primary process to every other worker, so a logout ends the session in all of them immediately.
 */
import cluster from 'node:cluster';
import type { AuthUser } from '../users/get-auth-user.ts';
import type { SessionRecord } from './sessions.ts';

export interface CachedSession {
  session: SessionRecord;
  user: AuthUser;
  until: number;
}

export const sessionCache = new Map<string, CachedSession>();

/** The message a worker sends (and receives) to evict a session everywhere. */
export const FORGET_SESSION_MESSAGE = 'kiko:forget-session';

export interface ForgetSessionMessage {
  type: typeof FORGET_SESSION_MESSAGE;
  sessionId: string;
}

export function isForgetSessionMessage(m: unknown): m is ForgetSessionMessage {
  const msg = m as Partial<ForgetSessionMessage> | null;
  return msg?.type === FORGET_SESSION_MESSAGE && typeof msg.sessionId === 'string';
}

function forgetLocally(sessionId: string): void {
  for (const [key, entry] of sessionCache) if (entry.session.id === sessionId) sessionCache.delete(key);
}

/** Drops cached entries of a session so no server process accepts it any longer. */
export function forgetSession(sessionId: string): void {
  forgetLocally(sessionId);
  if (cluster.isWorker && process.send) process.send({ type: FORGET_SESSION_MESSAGE, sessionId } satisfies ForgetSessionMessage);
}

if (cluster.isWorker)
  process.on('message', (m: unknown) => {
    if (isForgetSessionMessage(m)) forgetLocally(m.sessionId);
  });
