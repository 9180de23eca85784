import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateCommand } from '../../src/cli/demo-generate.ts';
import { hashPassword, verifyPassword } from '../../src/lib/server/auth/password.ts';
import { BENCH_PASSWORD, benchEmail, generateTenant, TenantExistsError } from '../../src/lib/server/demo/generate-district.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let t: TestDb;
let passwordHash: string;
beforeAll(async () => {
  t = await createTestDb();
  passwordHash = await hashPassword(BENCH_PASSWORD);
});
afterAll(() => t.cleanup());

const small = { staff: 500, orgUnits: 5, progressRows: 5000 };

async function count(sql: string, ...args: string[]): Promise<number> {
  const r = await t.client.execute({ sql, args });
  return Number(r.rows[0]?.[0]);
}

describe('generateTenant', () => {
  test('returns the requested row counts and stores exactly them when run on a small district', async () => {
    const r = await generateTenant(t.client, { tenant: 'bench-klein', ...small, passwordHash, batchRows: 700 });
    expect(r).toMatchObject({ users: 500, orgUnits: 5, progressRows: 5000, replaced: false });
    const tenant = r.tenantId;
    expect(await count('SELECT count(*) FROM users WHERE tenant_id = ?', tenant)).toBe(500);
    expect(await count('SELECT count(*) FROM org_units WHERE tenant_id = ?', tenant)).toBe(5);
    expect(await count('SELECT count(*) FROM lesson_progress WHERE tenant_id = ?', tenant)).toBe(5000);
    expect(await count('SELECT count(*) FROM user_roles WHERE user_id IN (SELECT id FROM users WHERE tenant_id = ?)', tenant)).toBe(
      r.userRoles,
    );
    expect(
      await count(
        "SELECT count(*) FROM user_roles WHERE role = 'learner' AND user_id IN (SELECT id FROM users WHERE tenant_id = ?)",
        tenant,
      ),
    ).toBe(500);
    expect(await count('SELECT count(*) FROM quiz_attempts WHERE tenant_id = ?', tenant)).toBe(r.quizAttempts);
    expect(await count('SELECT count(*) FROM course_completions WHERE tenant_id = ?', tenant)).toBe(r.courseCompletions);
    expect(r.quizAttempts).toBeGreaterThan(0);
  });

  test('returns data that passes the foreign key check and completions that point at passed attempts', async () => {
    expect((await t.client.execute('PRAGMA foreign_key_check')).rows).toEqual([]);
    const orphan = await count(
      `SELECT count(*) FROM course_completions c LEFT JOIN quiz_attempts a ON a.id = c.quiz_attempt_id
       WHERE a.id IS NULL OR a.passed = 0 OR a.status != 'submitted' OR a.user_id != c.user_id`,
    );
    expect(orphan).toBe(0);
  });

  test('returns accounts that log in with the shared bench password', async () => {
    const r = await t.client.execute({ sql: 'SELECT password_hash FROM users WHERE email = ?', args: [benchEmail('bench-klein', 7)] });
    const hash = String(r.rows[0]?.password_hash);
    expect(await verifyPassword(hash, BENCH_PASSWORD)).toBe(true);
    expect(await verifyPassword(hash, 'kiko-bencH')).toBe(false);
  });

  test('throws TenantExistsError when the tenant exists and replace is off', async () => {
    await expect(generateTenant(t.client, { tenant: 'bench-klein', ...small, passwordHash })).rejects.toBeInstanceOf(TenantExistsError);
  });

  test('returns a fresh district with the same counts when replace is on', async () => {
    const r = await generateTenant(t.client, { tenant: 'bench-klein', ...small, passwordHash, replace: true });
    expect(r.replaced).toBe(true);
    expect(await count("SELECT count(*) FROM tenants WHERE slug = 'bench-klein'")).toBe(1);
    expect(await count('SELECT count(*) FROM users WHERE tenant_id = ?', r.tenantId)).toBe(500);
    expect(await count('SELECT count(*) FROM lesson_progress')).toBe(5000);
  });

  test('throws a usage error when more progress rows are asked for than people times lessons', async () => {
    await expect(
      generateTenant(t.client, { tenant: 'zu-viel', staff: 2, orgUnits: 1, progressRows: 10_000, passwordHash }),
    ).rejects.toThrow(/--progress-rows/);
  });
});

describe('generateCommand', () => {
  const lines: string[] = [];
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
  let before: string | undefined;
  beforeAll(async () => {
    before = process.env.DATABASE_URL;
    process.env.DATABASE_URL = t.url;
    const { getEnv } = await import('../../src/lib/server/config/env.ts');
    expect(getEnv().DATABASE_URL).toBe(t.url);
  });
  afterAll(() => {
    process.env.DATABASE_URL = before;
  });

  test('returns 0 and prints progress lines and a summary when output is not a terminal', async () => {
    lines.length = 0;
    expect(await generateCommand(['--tenant', 'bench-cli', '--staff', '20', '--org-units', '3', '--progress-rows', '100'], io)).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/Lernstände: 100 von 100 \(100 %\)/);
    expect(text).toMatch(/20 Konten, 100 Lernstände/);
    expect(text).toContain(BENCH_PASSWORD);
  });

  test('returns 1 and names --replace when the tenant exists', async () => {
    lines.length = 0;
    expect(await generateCommand(['--tenant', 'bench-cli', '--staff', '10', '--org-units', '2', '--progress-rows', '10'], io)).toBe(1);
    expect(lines.join('\n')).toMatch(/--replace/);
  });
});
