/**
 * Process-wide handles for the web server: the validated config and one database client.
 * The CLI opens its own handle; tests open a fresh database file per worker.
 */
import { type DbHandle, openDb } from '../../../db/client.ts';
import { setMaxConcurrentHashes } from './auth/password.ts';
import { getEnv } from './config/env.ts';

let handle: Promise<DbHandle> | undefined;

export function getDbHandle(): Promise<DbHandle> {
  if (!handle) {
    const env = getEnv();
    setMaxConcurrentHashes(env.KIKO_MAX_CONCURRENT_HASHES);
    handle = openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  }
  return handle;
}

export async function getDb(): Promise<DbHandle['db']> {
  return (await getDbHandle()).db;
}
