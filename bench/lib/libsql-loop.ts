/**
 * Raw libSQL baseline: one connection to a fresh file with KIKO's settings (WAL, synchronous=NORMAL), a row shaped
 * like a quiz response inserted per statement (autocommit, as an answer's insert is), then the same rows read back by
 * primary key. What the database alone can do on this machine, without HTTP, Astro, drizzle or KIKO's queries.
 * The statement cache of db/client.ts (patched into @libsql/client when the bench loads it) applies here too.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { type LatencySummary, Samples, summarize } from './stats.ts';

export interface LibsqlLoopResult {
  insert: { opsPerS: number; latency: LatencySummary };
  select: { opsPerS: number; latency: LatencySummary };
}

async function timed(durationS: number, op: (i: number) => Promise<unknown>): Promise<{ opsPerS: number; latency: LatencySummary }> {
  const samples = new Samples();
  const start = performance.now();
  const end = start + durationS * 1000;
  // bounded: by time, and by a hard cap far above what a single connection can do
  for (let i = 0; i < 50_000_000 && performance.now() < end; i++) {
    const t = performance.now();
    await op(i);
    samples.push(performance.now() - t);
    if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
  }
  const s = (performance.now() - start) / 1000;
  return { opsPerS: Math.round(samples.length / s), latency: summarize(samples.values()) };
}

export async function libsqlLoop(dir: string, durationS: number): Promise<LibsqlLoopResult> {
  const client = createClient({ url: `file:${join(dir, 'libsql-baseline.db')}` });
  try {
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute('PRAGMA synchronous = NORMAL');
    await client.execute(
      'CREATE TABLE r (attempt_id TEXT NOT NULL, item_id TEXT NOT NULL, response TEXT NOT NULL, score REAL NOT NULL, answered_at INTEGER NOT NULL, PRIMARY KEY (attempt_id, item_id))',
    );
    const attempt = randomUUID();
    const response = JSON.stringify({ type: 'single', optionId: 'o2' });
    const insert = await timed(durationS / 2, (i) =>
      client.execute({ sql: 'INSERT INTO r VALUES (?, ?, ?, ?, ?)', args: [attempt, `item-${i}`, response, 1, Date.now()] }),
    );
    const rows = insert.latency.count;
    const select = await timed(durationS / 2, (i) =>
      client.execute({ sql: 'SELECT * FROM r WHERE attempt_id = ? AND item_id = ?', args: [attempt, `item-${i % rows}`] }),
    );
    return { insert, select };
  } finally {
    client.close();
  }
}
