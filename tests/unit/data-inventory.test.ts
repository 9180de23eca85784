/**
 * The data inventory (src/lib/server/privacy/data-inventory.ts) against the drizzle schema: every table has a declared
 * purpose and retention, every column is classified as personal (with what it holds) or not, and nothing is declared
 * that the schema does not have. A new table or column fails here until it is classified.
 */
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, test } from 'vitest';
import * as schema from '../../db/schema/index.ts';
import { dataInventory } from '../../src/lib/server/privacy/data-inventory.ts';

const tables = (Object.values(schema) as unknown[]).filter((v): v is SQLiteTable => v instanceof SQLiteTable).map((t) => getTableConfig(t));

describe('data inventory', () => {
  test('knows the tables of the schema', () => {
    expect(tables.length).toBeGreaterThan(15);
    expect(Object.keys(dataInventory).sort()).toEqual(tables.map((t) => t.name).sort());
  });

  for (const table of tables)
    test(`${table.name}: every column is classified, personal data has a purpose and a retention`, () => {
      const entry = dataInventory[table.name];
      expect(entry, `${table.name} fehlt in src/lib/server/privacy/data-inventory.ts`).toBeDefined();
      if (!entry) return;
      const declared = [...Object.keys(entry.personal), ...entry.other];
      const columns = table.columns.map((c) => c.name);
      expect(
        declared.filter((c) => !columns.includes(c)),
        `${table.name}: declared but not in the schema`,
      ).toEqual([]);
      expect(
        columns.filter((c) => !declared.includes(c)),
        `${table.name}: columns without classification`,
      ).toEqual([]);
      expect(new Set(declared).size, `${table.name}: a column is classified twice`).toBe(declared.length);
      expect(entry.purpose.trim().length).toBeGreaterThan(10);
      expect(entry.retention.trim().length).toBeGreaterThan(5);
      for (const [column, what] of Object.entries(entry.personal)) expect(what.trim().length, `${table.name}.${column}`).toBeGreaterThan(2);
    });

  test('the columns that obviously hold personal data are declared personal', () => {
    for (const table of tables)
      for (const c of table.columns)
        if (/^(email|password_hash|external_id|user_id|person_id|last_login_at)$/.test(c.name))
          expect(Object.keys(dataInventory[table.name]?.personal ?? {}), `${table.name}.${c.name}`).toContain(c.name);
  });
});
