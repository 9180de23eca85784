import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateCommand } from '../../src/cli/demo-generate.ts';
import { hashPassword, verifyPassword } from '../../src/lib/server/auth/password.ts';
import { BENCH_PASSWORD, benchEmail, generateTenant, TenantExistsError } from '../../src/lib/server/demo/generate-district.ts';
import { projectionsFromRecord } from '../../src/lib/server/evidence/rebuild-projections.ts';
import { createTestDb, type TestDb } from '../setup/test-db.ts';

let t: TestDb;
let passwordHash: string;
beforeAll(async () => {
  t = await createTestDb();
  passwordHash = await hashPassword(BENCH_PASSWORD);
});
afterAll(() => t.cleanup());

const small = { staff: 500, orgUnits: 5, progressRows: 5000 };

async function count(sql: string, ...args: Array<string | number>): Promise<number> {
  const r = await t.client.execute({ sql, args });
  return Number(r.rows[0]?.[0]);
}

const DAY = 86_400_000;
/** The district of the first test; its learning record is checked against its projection below. */
let district: Awaited<ReturnType<typeof generateTenant>>;
const generatedAt = Date.now();

describe('generateTenant', () => {
  test('returns the requested row counts and stores exactly them when run on a small district', async () => {
    const r = await generateTenant(t.client, { tenant: 'bench-klein', ...small, passwordHash, batchRows: 700, commitRows: 1500 });
    district = r;
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

  test('returns a learning record whose lesson facts are exactly the lesson_progress rows', async () => {
    const tenant = district.tenantId;
    const progress = await count('SELECT count(*) FROM lesson_progress WHERE tenant_id = ?', tenant);
    const done = await count('SELECT count(*) FROM lesson_progress WHERE tenant_id = ? AND completed_at IS NOT NULL', tenant);
    expect(await count("SELECT count(*) FROM learning_events WHERE tenant_id = ? AND type = 'lesson.started'", tenant)).toBe(progress);
    expect(await count("SELECT count(*) FROM learning_events WHERE tenant_id = ? AND type = 'lesson.completed'", tenant)).toBe(done);
    // every fact has its row: same person, course, lesson, version and time, and the idempotency keys KIKO uses
    expect(
      await count(
        `SELECT count(*) FROM learning_events e JOIN lesson_progress p ON p.tenant_id = e.tenant_id AND p.user_id = e.user_id
           AND p.course_id = e.subject AND p.lesson_id = e.ref AND p.lesson_version = e.version
         WHERE e.tenant_id = ? AND ((e.type = 'lesson.started' AND e.effective_at = p.started_at
                 AND e.idem_key = 'lesson-start:' || p.user_id || ':' || p.course_id || ':' || p.lesson_id)
             OR (e.type = 'lesson.completed' AND e.effective_at = p.completed_at AND e.how = 'online'
                 AND e.idem_key = 'lesson:' || p.user_id || ':' || p.course_id || ':' || p.lesson_id || ':' || p.lesson_version))`,
        tenant,
      ),
    ).toBe(progress + done);
    // lessons per person and course (course_progress) equal the counts rebuilt from the record
    const rebuilt = await projectionsFromRecord(t.db, tenant);
    const perCourse = await t.db.all<{ u: string; c: string; n: number; d: number }>(
      sql`SELECT user_id AS u, course_id AS c, lessons AS n, lessons_done AS d FROM course_progress WHERE tenant_id = ${tenant}`,
    );
    expect(new Map(perCourse.map((r) => [`${r.u}|${r.c}`, `${r.n}|${r.d}`]))).toEqual(rebuilt.courseProgress);
    expect(perCourse.reduce((n, r) => n + Number(r.n), 0)).toBe(progress);
    // content changed under some: old completions in a made-up older version, none after the change a year ago
    expect(
      await count(
        "SELECT count(*) FROM learning_events WHERE tenant_id = ? AND type = 'lesson.completed' AND version LIKE 'old-%'",
        tenant,
      ),
    ).toBeGreaterThan(0);
    expect(
      await count(
        "SELECT count(*) FROM learning_events WHERE tenant_id = ? AND version LIKE 'old-%' AND effective_at > ?",
        tenant,
        generatedAt - 365 * DAY,
      ),
    ).toBe(0);
  });

  test('returns memberships whose latest fact per person is the users row, with some people moved', async () => {
    const tenant = district.tenantId;
    const latest = `SELECT user_id, data->>'orgUnitId' AS unit, data->>'jobRole' AS job_role, effective_at,
                      row_number() OVER (PARTITION BY user_id ORDER BY effective_at DESC, seq DESC) AS n
                    FROM learning_events WHERE tenant_id = ?1 AND type = 'membership.changed'`;
    expect(
      await count(
        `SELECT count(*) FROM users u JOIN (${latest}) m ON m.user_id = u.id AND m.n = 1
         WHERE u.tenant_id = ?1 AND m.unit = u.org_unit_id AND m.job_role = u.job_role`,
        tenant,
      ),
    ).toBe(500);
    // the first membership starts with the account
    expect(
      await count(
        `SELECT count(*) FROM users u WHERE u.tenant_id = ?1 AND u.created_at =
           (SELECT min(effective_at) FROM learning_events e WHERE e.tenant_id = ?1 AND e.type = 'membership.changed' AND e.user_id = u.id)`,
        tenant,
      ),
    ).toBe(500);
    const moved = await count(
      `SELECT count(*) FROM (SELECT user_id FROM learning_events WHERE tenant_id = ? AND type = 'membership.changed'
                             GROUP BY user_id HAVING count(*) > 1)`,
      tenant,
    );
    expect(moved).toBeGreaterThan(5);
    expect(moved).toBeLessThan(60);
  });

  test('returns one roles fact per person whose grants are the user_roles rows of that district', async () => {
    const tenant = district.tenantId;
    expect(await count("SELECT count(*) FROM learning_events WHERE tenant_id = ? AND type = 'roles.changed'", tenant)).toBe(500);
    expect(
      await count(
        `SELECT count(*) FROM learning_events e, json_each(e.data, '$.grants') g
         JOIN user_roles r ON r.user_id = e.user_id AND r.role = g.value->>'role' AND r.tenant_id = e.tenant_id
         WHERE e.tenant_id = ? AND e.type = 'roles.changed' AND g.value->>'scopeOrgUnitId' IS NULL`,
        tenant,
      ),
    ).toBe(district.userRoles);
    expect(await count('SELECT count(*) FROM user_roles WHERE tenant_id = ?', tenant)).toBe(district.userRoles);
  });

  test('returns path assignments active in the record that are exactly the path_assignments rows', async () => {
    const tenant = district.tenantId;
    const active = `SELECT a.* FROM learning_events a WHERE a.tenant_id = ?1 AND a.type = 'path.assigned' AND NOT EXISTS (
                      SELECT 1 FROM learning_events u WHERE u.tenant_id = ?1 AND u.type = 'path.unassigned' AND u.ref = a.ref
                        AND u.subject = a.subject AND u.user_id IS a.user_id AND u.org_unit_id IS a.org_unit_id)`;
    const rows = await count('SELECT count(*) FROM path_assignments WHERE tenant_id = ?', tenant);
    expect(rows).toBe(district.pathAssignments);
    expect(rows).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) FROM (${active})`, tenant)).toBe(rows);
    expect(
      await count(
        `SELECT count(*) FROM (${active}) a JOIN path_assignments p ON p.id = a.ref AND p.path_id = a.subject
           AND p.user_id IS a.user_id AND p.org_unit_id IS a.org_unit_id AND p.created_at = a.effective_at
           AND p.due_at IS (a.data->>'dueAt')`,
        tenant,
      ),
    ).toBe(rows);
    // some were ended and replaced by a newer assignment
    expect(await count("SELECT count(*) FROM learning_events WHERE tenant_id = ? AND type = 'path.unassigned'", tenant)).toBeGreaterThan(0);
  });

  test('returns attempt and completion facts that are exactly the quiz_attempts and course_completions rows', async () => {
    const tenant = district.tenantId;
    for (const [type, at] of [
      ['quiz.started', 'a.started_at'],
      ['quiz.submitted', 'a.submitted_at'],
    ] as const)
      expect(
        await count(
          `SELECT count(*) FROM learning_events e JOIN quiz_attempts a ON a.id = e.ref AND a.user_id = e.user_id
             AND a.quiz_id = e.subject AND a.quiz_version = e.version AND ${at} = e.effective_at AND e.data->>'courseId' = a.course_id
           WHERE e.tenant_id = ? AND e.type = '${type}'`,
          tenant,
        ),
      ).toBe(district.quizAttempts);
    expect(
      await count(
        `SELECT count(*) FROM learning_events e JOIN quiz_attempts a ON a.id = e.ref
         WHERE e.tenant_id = ? AND e.type = 'quiz.submitted' AND e.idem_key = 'submit:' || a.id
           AND e.data->>'score' = a.score AND e.data->>'max' = a.max_score AND e.data->>'passed' = 1`,
        tenant,
      ),
    ).toBe(district.quizAttempts);
    expect(
      await count(
        `SELECT count(*) FROM learning_events e JOIN course_completions c ON c.id = e.ref AND c.user_id = e.user_id
           AND c.course_id = e.subject AND c.course_version = e.version AND c.completed_at = e.effective_at
           AND e.data->>'quizAttemptId' = c.quiz_attempt_id
         WHERE e.tenant_id = ? AND e.type = 'course.completed' AND e.how = 'online'`,
        tenant,
      ),
    ).toBe(district.courseCompletions);
  });

  test('returns a record that starts with record.started two years back, recorded after the fact and counted', async () => {
    const tenant = district.tenantId;
    const r = await t.client.execute({
      sql: `SELECT t.record_started_at AS started, (SELECT count(*) FROM learning_events WHERE tenant_id = t.id) AS facts,
                   (SELECT effective_at FROM learning_events WHERE tenant_id = t.id AND type = 'record.started' AND user_id IS NULL) AS fact_at,
                   (SELECT min(effective_at) FROM learning_events WHERE tenant_id = t.id) AS first,
                   (SELECT max(effective_at) FROM learning_events WHERE tenant_id = t.id) AS last,
                   (SELECT count(*) FROM learning_events WHERE tenant_id = t.id AND (recorded_at < effective_at OR recorded_at > ?2)) AS odd
            FROM tenants t WHERE t.id = ?1`,
      args: [tenant, Date.now()],
    });
    const row = r.rows[0] as unknown as Record<string, number>;
    expect(Number(row.facts)).toBe(district.facts);
    expect(Number(row.started)).toBe(district.recordStartedAt);
    expect(Number(row.fact_at)).toBe(district.recordStartedAt);
    expect(Number(row.first)).toBe(district.recordStartedAt);
    expect(Number(row.started)).toBeLessThan(generatedAt - 700 * DAY);
    expect(Number(row.last)).toBeGreaterThan(generatedAt - 90 * DAY);
    expect(Number(row.odd)).toBe(0);
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

  test('returns a fresh district with the same counts when replace is on, and retires the old one with its record', async () => {
    const r = await generateTenant(t.client, { tenant: 'bench-klein', ...small, passwordHash, replace: true });
    expect(r).toMatchObject({ replaced: true, replacedHow: 'retired' });
    expect(await count("SELECT count(*) FROM tenants WHERE slug = 'bench-klein'")).toBe(1);
    expect(await count('SELECT count(*) FROM users WHERE tenant_id = ?', r.tenantId)).toBe(500);
    expect(await count('SELECT count(*) FROM lesson_progress WHERE tenant_id = ?', r.tenantId)).toBe(5000);
    // the learning record is append-only: the old district keeps it, under a new slug and with its logins renamed
    const old = await t.client.execute({ sql: 'SELECT slug, status FROM tenants WHERE id = ?', args: [district.tenantId] });
    expect(String(old.rows[0]?.slug)).toMatch(/^bench-klein-ersetzt-\d{14}$/);
    expect(old.rows[0]?.status).toBe('suspended');
    expect(await count('SELECT count(*) FROM learning_events WHERE tenant_id = ?', district.tenantId)).toBe(district.facts);
    expect(await count("SELECT count(*) FROM users WHERE tenant_id = ? AND email LIKE '%-ersetzt-%'", district.tenantId)).toBe(500);
  });

  test('returns replacedHow deleted and removes the old tenant when it has no learning record yet', async () => {
    await t.client.execute({
      sql: "INSERT INTO tenants (id, slug, name, settings, status, created_at) VALUES (?, 'bench-leer', 'Leer', '{}', 'active', ?)",
      args: ['00000000-0000-4000-8000-00000000leer', Date.now()],
    });
    const r = await generateTenant(t.client, {
      tenant: 'bench-leer',
      staff: 5,
      orgUnits: 2,
      progressRows: 10,
      passwordHash,
      replace: true,
    });
    expect(r.replacedHow).toBe('deleted');
    expect(await count("SELECT count(*) FROM tenants WHERE id = '00000000-0000-4000-8000-00000000leer'")).toBe(0);
    expect(await count('SELECT count(*) FROM users WHERE tenant_id = ?', r.tenantId)).toBe(5);
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
