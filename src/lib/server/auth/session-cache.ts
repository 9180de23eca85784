/** Per-process cache of resolved sessions (see get-session-user.ts); logout evicts at once. */
import type { AuthUser } from '../users/get-auth-user.ts';
import type { SessionRecord } from './sessions.ts';

export interface CachedSession {
  session: SessionRecord;
  user: AuthUser;
  until: number;
}

export const sessionCache = new Map<string, CachedSession>();

/** Drops cached entries of a session so this process stops accepting it immediately. */
export function forgetSession(sessionId: string): void {
  for (const [key, entry] of sessionCache) if (entry.session.id === sessionId) sessionCache.delete(key);
}
