import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tenantTable } from '../../db/schema/index.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.cleanup());

describe('openDb', () => {
  test('returns connections that all have WAL, foreign keys, synchronous=NORMAL and a busy timeout', async () => {
    // open transactions hold their own pooled connections, so each one is a separate connection
    const txs = await Promise.all([t.client.transaction('read'), t.client.transaction('read'), t.client.transaction('read')]);
    for (const tx of txs) {
      expect((await tx.execute('PRAGMA foreign_keys')).rows[0]?.[0]).toBe(1);
      expect((await tx.execute('PRAGMA synchronous')).rows[0]?.[0]).toBe(1);
      expect(Number((await tx.execute('PRAGMA busy_timeout')).rows[0]?.[0])).toBeGreaterThanOrEqual(1);
      expect((await tx.execute('PRAGMA journal_mode')).rows[0]?.[0]).toBe('wal');
    }
    for (const tx of txs) tx.close();
  });
  test('returns a usable database after a failed statement inside a transaction (write lock released)', async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await tx.insert(tenantTable).values({ id: 'x1', slug: 'x1', name: 'X', createdAt: new Date() });
        await tx.insert(tenantTable).values({ id: 'x1', slug: 'x1', name: 'X', createdAt: new Date() });
      }),
    ).rejects.toThrow();
    await t.db.insert(tenantTable).values({ id: 'x2', slug: 'x2', name: 'Y', createdAt: new Date() });
    const rows = await t.db.select().from(tenantTable);
    expect(rows.map((r) => r.id)).toEqual(['x2']);
  });
  test('completes many concurrent write transactions and autocommit writes without SQLITE_BUSY', async () => {
    const work = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0
        ? t.db.transaction(async (tx) => {
            await tx.insert(tenantTable).values({ id: `c${i}`, slug: `c${i}`, name: 'C', createdAt: new Date() });
            await new Promise((r) => setTimeout(r, 5));
            await tx.insert(tenantTable).values({ id: `d${i}`, slug: `d${i}`, name: 'D', createdAt: new Date() });
          })
        : t.db.insert(tenantTable).values({ id: `e${i}`, slug: `e${i}`, name: 'E', createdAt: new Date() }),
    );
    await Promise.all(work);
    const rows = await t.db.select().from(tenantTable);
    expect(rows.filter((r) => /^[cde]\d/.test(r.id))).toHaveLength(60);
  });
  test('rejects rows that break a foreign key', async () => {
    const { orgUnitTable } = await import('../../db/schema/index.ts');
    await expect(t.db.insert(orgUnitTable).values({ id: 'o1', tenantId: 'gibt-es-nicht', code: 'A', name: 'A' })).rejects.toThrow();
  });
  test('returns the current columns and rows from reused statements after the schema changes', async () => {
    await t.client.execute('CREATE TABLE cache_probe (a INTEGER)');
    await t.client.execute('INSERT INTO cache_probe (a) VALUES (1)');
    const before = await t.client.execute('SELECT * FROM cache_probe');
    expect(before.columns).toEqual(['a']);
    // the same text again comes from the connection's statement cache
    expect((await t.client.execute('SELECT * FROM cache_probe')).rows.map((r) => r.a)).toEqual([1]);
    await t.client.execute('ALTER TABLE cache_probe ADD COLUMN b TEXT');
    await t.client.execute("UPDATE cache_probe SET b = 'x'");
    expect((await t.client.execute('SELECT * FROM cache_probe')).columns).toEqual(['a', 'b']);
    await t.client.executeMultiple("ALTER TABLE cache_probe ADD COLUMN c TEXT; UPDATE cache_probe SET c = 'y';");
    const after = await t.client.execute('SELECT * FROM cache_probe');
    expect(after.columns).toEqual(['a', 'b', 'c']);
    expect(after.rows.map((r) => [r.a, r.b, r.c])).toEqual([[1, 'x', 'y']]);
  });
  test('runs a reused statement without rows as a write and a reused one with rows (RETURNING) as a read', async () => {
    await t.client.execute('CREATE TABLE raw_probe (a INTEGER PRIMARY KEY, b TEXT)');
    for (let i = 1; i <= 3; i++) {
      // the same insert text each time: from the second run on it comes from the cache, which remembers it has no rows
      const w = await t.client.execute({ sql: 'INSERT INTO raw_probe (b) VALUES (?)', args: [`w${i}`] });
      expect(w.rowsAffected).toBe(1);
      expect(w.rows).toEqual([]);
      const r = await t.client.execute({ sql: 'INSERT INTO raw_probe (b) VALUES (?) RETURNING a, b', args: [`r${i}`] });
      expect(r.rows.map((row) => row.b)).toEqual([`r${i}`]);
    }
    const all = await t.client.execute('SELECT b FROM raw_probe ORDER BY a');
    expect(all.rows.map((row) => row.b)).toEqual(['w1', 'r1', 'w2', 'r2', 'w3', 'r3']);
  });
  test('returns correct results for more distinct statements than the cache holds', async () => {
    const { STATEMENT_CACHE_SIZE } = await import('../../db/client.ts');
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < STATEMENT_CACHE_SIZE + 20; i++) {
        const r = await t.client.execute({ sql: `SELECT ? + ${i} AS v`, args: [round] });
        expect(Number(r.rows[0]?.v)).toBe(round + i);
      }
  });
});
