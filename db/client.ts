/**
 * Database access: drizzle over @libsql/client, embedded file by default, libSQL server by URL.
 *
 * Per-connection pragmas: @libsql/client keeps a pool of connections to a local file, and SQLite's
 * foreign_keys and synchronous settings live per connection. KIKO therefore prepares every new pooled
 * connection once, and coordinates writes of this process (db/serialize-writes.ts, docs/decisions/002-libsql-local-writes.md).
 *
 * Statement cache: @libsql/client prepares every statement anew and reads its column list twice per
 * execution; in CPU profiles of the exam day that was a fifth of the server's time. Each local connection
 * therefore keeps its most recent prepared statements (an LRU by SQL text) with their column lists, and
 * drops them all when the schema changes (DDL or a multi-statement script); a statement that returns no rows
 * remembers the driver's "not a reader" exception instead of raising a new one each time. See docs/decisions/005.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Client, createClient } from '@libsql/client';
import { ConnectionPool } from '@libsql/client/sqlite3';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from './schema/index.ts';
import { serializeWrites } from './serialize-writes.ts';
import { checkpointPragmas } from './wal-checkpoints.ts';

export type Db = LibSQLDatabase<typeof schema>;

/** Pragmas every local connection gets; checked by tests/integration/db-client.test.ts. */
export const CONNECTION_PRAGMAS = ['PRAGMA foreign_keys = ON', 'PRAGMA synchronous = NORMAL'] as const;
/** SQLite's own (blocking) busy wait; longer waits are retried asynchronously, see serialize-writes.ts. */
export const BUSY_TIMEOUT_MS = 5;

/** Prepared statements kept per connection (distinct SQL texts of KIKO are a few hundred at most). */
export const STATEMENT_CACHE_SIZE = 256;

interface LibsqlStatement {
  columns(): unknown[];
  raw(on?: boolean): LibsqlStatement;
}
interface PooledDatabase {
  exec(sql: string): void;
  prepare(sql: string): LibsqlStatement;
}
const prepared = new WeakSet<object>();
const pool = ConnectionPool.prototype as unknown as { acquireSync(forTx?: boolean): PooledDatabase; __kikoPatched?: boolean };
if (!pool.__kikoPatched) {
  const acquireSync = pool.acquireSync;
  pool.acquireSync = function (this: unknown, forTx?: boolean): PooledDatabase {
    const db = acquireSync.call(this, forTx);
    if (!prepared.has(db)) {
      db.exec([...CONNECTION_PRAGMAS, ...checkpointPragmas()].join(';'));
      cacheStatements(db);
      prepared.add(db);
    }
    return db;
  };
  pool.__kikoPatched = true;
}

const SCHEMA_CHANGE = /^\s*(create|alter|drop)\b/i;

/** Wraps a connection's prepare (LRU of statements, column lists memoised) and exec (clears the cache). */
function cacheStatements(db: PooledDatabase): void {
  const cache = new Map<string, LibsqlStatement>();
  const prepare = db.prepare.bind(db);
  const exec = db.exec.bind(db);
  db.prepare = (sql: string): LibsqlStatement => {
    const hit = cache.get(sql);
    if (hit) {
      cache.delete(sql);
      cache.set(sql, hit);
      return hit;
    }
    if (SCHEMA_CHANGE.test(sql)) {
      cache.clear();
      return prepare(sql);
    }
    const stmt = prepare(sql);
    const columns = stmt.columns.bind(stmt);
    let known: unknown[] | undefined;
    stmt.columns = () => {
      known ??= columns();
      return known;
    };
    // @libsql/client asks every statement for raw mode and takes the exception as "returns no rows"; a new native
    // exception costs more than the insert itself (about 7 µs), so a statement that threw once throws the same error
    const raw = stmt.raw.bind(stmt);
    let notReader: unknown;
    stmt.raw = (on?: boolean): LibsqlStatement => {
      if (notReader) throw notReader;
      try {
        return raw(on);
      } catch (e) {
        notReader = e;
        throw e;
      }
    };
    cache.set(sql, stmt);
    if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    return stmt;
  };
  db.exec = (sql: string): void => {
    cache.clear();
    exec(sql);
  };
}

export interface OpenDbOptions {
  url: string;
  authToken?: string;
}

export interface DbHandle {
  db: Db;
  client: Client;
  close(): void;
}

/** Opens the database; for a file URL creates its folder and switches the file to WAL. */
export async function openDb({ url, authToken }: OpenDbOptions): Promise<DbHandle> {
  const isFile = url.startsWith('file:');
  if (isFile) {
    const path = url.slice('file:'.length).replace(/^\/\/(localhost)?/, '');
    if (path && !path.startsWith(':memory:')) mkdirSync(dirname(path), { recursive: true });
  }
  const raw = createClient({ url, authToken, timeout: BUSY_TIMEOUT_MS });
  const client = isFile ? serializeWrites(raw) : raw;
  if (isFile) {
    // WAL is stored in the file itself, so once is enough.
    await client.execute('PRAGMA journal_mode = WAL');
  }
  const db = drizzle(client, { schema });
  return { db, client, close: () => client.close() };
}
