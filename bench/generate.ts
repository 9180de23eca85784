/**
 * `kiko demo generate --tenant bench --staff 50000 --org-units 200 --progress-rows 1000000`
 *
 * Creates a large synthetic district for load tests: the tenant, an org unit tree, staff accounts with roles
 * (all sharing one argon2id hash of BENCH_PASSWORD, computed once), lesson progress along each person's learning
 * path, and for part of the fully read courses a passed quiz attempt with its course completion, plus a few
 * org-unit path assignments.
 *
 * Speed and memory: rows go in as one INSERT … SELECT per batch whose rows travel as a single JSON parameter
 * (`json_each`), and lesson progress is expanded inside SQLite from a compact per-person spec (who, which path,
 * how far). Between batches the generator yields to the event loop (`setImmediate`): the local libSQL driver is
 * synchronous, and a tight loop of native calls never lets Node release what the batches allocated.
 * Person ids are generated up front and sorted, so the primary-key indexes only ever grow at their right edge.
 *
 * Not generated: audit events (the tenant's audit chain starts empty), quiz responses of the historic attempts,
 * certificates. An existing tenant with the same slug is refused unless `--replace` is given, which deletes it
 * with all its data first.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Client } from '@libsql/client';
import cliProgress from 'cli-progress';
import { openDb } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { type CliIo, parseFlags, UsageError } from '../src/cli/io.ts';
import { hashPassword } from '../src/lib/server/auth/password.ts';
import { getEnv } from '../src/lib/server/config/env.ts';
import { type ContentSet, loadContent } from '../src/lib/server/content/load-content.ts';
import { defaultPathFor } from '../src/lib/server/learning/resolve-path.ts';
import { drawAttempt, seededRandom } from '../src/lib/server/quizzes/draw-attempt.ts';

/** Password of every generated account (public: never generate into a production database). */
export const BENCH_PASSWORD = 'kiko-bench';

/** Login of the generated person number `i` (0-based) of tenant `slug`. */
export function benchEmail(slug: string, i: number): string {
  return `person-${String(i + 1).padStart(6, '0')}@${slug}.example`;
}

export interface GenerateOptions {
  /** Tenant slug. */
  tenant: string;
  staff: number;
  orgUnits: number;
  progressRows: number;
  /** Share (0…1) of fully read courses that also get a passed quiz attempt and a course completion. */
  completionShare?: number;
  /** Delete an existing tenant with this slug (and all its data) first. */
  replace?: boolean;
  /** argon2id PHC string for every account; computed from BENCH_PASSWORD when omitted. */
  passwordHash?: string;
  /** Seed of the pseudo-random choices (names, units, progress); same seed, same shape. */
  seed?: string;
  /** Rows per INSERT. */
  batchRows?: number;
  /** Project root with courses/, quizzes/, content/. */
  root?: string;
}

export interface GenerateResult {
  tenantId: string;
  orgUnits: number;
  users: number;
  userRoles: number;
  progressRows: number;
  quizAttempts: number;
  courseCompletions: number;
  pathAssignments: number;
  replaced: boolean;
  ms: number;
  /** CPU time (user + system) this process spent; far below `ms` when other processes compete for the CPU. */
  cpuMs: number;
  /** Wall time per phase: setup (content, delete, hash, tenant), accounts, progress with attempts and completions. */
  phaseMs: { setup: number; accounts: number; progress: number };
  /** Peak resident set size of this process (includes everything that ran before). */
  peakRssMb: number;
}

export type ProgressFn = (phase: string, done: number, total: number) => void;

/** The tenant exists and `replace` was not set. */
export class TenantExistsError extends Error {}

const DAY = 86_400_000;
const JOB_ROLES = [
  // share of staff, role, extra user roles
  [0.8, 'sachbearbeitung', []],
  [0.1, 'fuehrungskraft', []],
  [0.04, 'it-digitalisierung', []],
  [0.03, 'personal-datenschutz', ['hr']],
  [0.03, 'multiplikator', ['multiplier']],
] as const;
const FIRST = [
  'Anna',
  'Ben',
  'Clara',
  'David',
  'Emma',
  'Felix',
  'Greta',
  'Hannes',
  'Ida',
  'Jonas',
  'Karla',
  'Lukas',
  'Mia',
  'Noah',
  'Olga',
  'Paul',
  'Rosa',
  'Simon',
  'Tina',
  'Uwe',
  'Vera',
  'Wolfgang',
  'Yvonne',
  'Zeynep',
];
const LAST = [
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Schulz',
  'Hoffmann',
  'Koch',
  'Richter',
  'Klein',
  'Wolf',
  'Schröder',
  'Neumann',
  'Schwarz',
  'Braun',
  'Yılmaz',
  'Kowalski',
];

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Ids for generated attempts and completions: UUID version 7 layout (time-ordered, RFC 9562) with a counter in
 * place of the sub-millisecond bits, so hundreds of thousands of rows append to their primary-key index instead
 * of landing on random pages. The server's own ids stay random (v4); both are valid UUIDs.
 */
function sequentialIds(): () => string {
  const ms = Date.now().toString(16).padStart(12, '0');
  const node = randomUUID().replaceAll('-', '').slice(0, 12);
  let counter = 0;
  return () => {
    // 24 counter bits: 3 hex digits after the version nibble, 3 after the variant nibble (16.7 million ids)
    const c = (counter++ & 0xffffff).toString(16).padStart(6, '0');
    return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${c.slice(0, 3)}-8${c.slice(3, 6)}-${node}`;
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** One learning sequence per job role: the path's required, then optional courses, then all others by `order`. */
function sequences(content: ContentSet): {
  byRole: Map<string, number>;
  lessons: Array<[number, number, string, string, string]>;
  courses: Array<{ seq: number; courseId: string; end: number }>;
  length: number;
} {
  const allCourses = [...content.courses.values()].sort((a, b) => a.course.order - b.course.order).map((c) => c.course.id);
  const byRole = new Map<string, number>();
  const lessons: Array<[number, number, string, string, string]> = [];
  const courses: Array<{ seq: number; courseId: string; end: number }> = [];
  let length = Number.POSITIVE_INFINITY;
  JOB_ROLES.forEach(([, role], seq) => {
    byRole.set(role, seq);
    const path = defaultPathFor(content, role);
    const order = [...new Set([...(path?.required ?? []), ...(path?.optional ?? []), ...allCourses])].filter((id) =>
      content.courses.has(id),
    );
    let pos = 0;
    for (const courseId of order) {
      for (const l of content.courses.get(courseId)?.lessons ?? []) lessons.push([seq, pos++, courseId, l.id, l.version]);
      courses.push({ seq, courseId, end: pos });
    }
    length = Math.min(length, pos);
  });
  return { byRole, lessons, courses, length };
}

/** Lessons read per person: random around the mean, summing exactly to `total`, each within [0, max]. */
function progressCounts(n: number, total: number, max: number, random: () => number): Uint8Array {
  const counts = new Uint8Array(n);
  if (n === 0) return counts;
  const mean = total / n;
  const hi = Math.min(max, Math.max(1, Math.round(mean * 2)));
  let sum = 0;
  for (let i = 0; i < n; i++) {
    counts[i] = Math.min(hi, Math.floor(random() * (hi + 1)));
    sum += counts[i] as number;
  }
  // correct the sum in passes over everyone; each pass moves it by up to n, at most max passes
  for (let pass = 0; pass <= max && sum !== total; pass++) {
    for (let i = 0; i < n && sum !== total; i++) {
      const c = counts[i] as number;
      if (sum < total && c < max) {
        counts[i] = c + 1;
        sum++;
      } else if (sum > total && c > 0) {
        counts[i] = c - 1;
        sum--;
      }
    }
  }
  return counts;
}

async function tenantIdOf(client: Client, slug: string): Promise<string | null> {
  const r = await client.execute({ sql: 'SELECT id FROM tenants WHERE slug = ?', args: [slug] });
  return r.rows[0] ? String(r.rows[0].id) : null;
}

/**
 * Retires a generated tenant so a fresh one can take its slug: evidence is append-only (the learning record and the
 * audit log cannot be deleted), so the old district is suspended and its slug and logins renamed instead.
 */
export async function deleteTenant(client: Client, tenantId: string): Promise<void> {
  const mark = `replaced-${Date.now()}`;
  await client.batch(
    [
      { sql: `DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE tenant_id = ?1)`, args: [tenantId] },
      { sql: `UPDATE users SET email = ?2 || '-' || email, status = 'disabled' WHERE tenant_id = ?1`, args: [tenantId, mark] },
      { sql: `UPDATE tenants SET slug = slug || '-' || ?2, status = 'suspended' WHERE id = ?1`, args: [tenantId, mark] },
    ],
    'write',
  );
}

/** Generates the tenant (see the module comment). Throws TenantExistsError when it exists and `replace` is off. */
export async function generateTenant(client: Client, options: GenerateOptions, onProgress: ProgressFn = () => {}): Promise<GenerateResult> {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const { tenant: slug, staff, orgUnits: unitCount, progressRows } = options;
  const batchRows = Math.max(100, options.batchRows ?? 5000);
  const share = Math.min(1, Math.max(0, options.completionShare ?? 0.2));
  const random = seededRandom(options.seed ?? `kiko-bench-${slug}`);
  const content = loadContent({ root: resolve(options.root ?? process.env.KIKO_ROOT ?? process.cwd()) });
  const seq = sequences(content);
  if (staff < 1 || unitCount < 1) throw new UsageError('--staff und --org-units müssen mindestens 1 sein.');
  if (progressRows < 0 || progressRows > staff * seq.length)
    throw new UsageError(`--progress-rows muss zwischen 0 und ${staff * seq.length} liegen (${staff} Personen × ${seq.length} Lektionen).`);

  let replaced = false;
  const existing = await tenantIdOf(client, slug);
  if (existing) {
    if (!options.replace)
      throw new TenantExistsError(
        `Den Landkreis "${slug}" gibt es schon. Mit --replace wird er samt allen Daten gelöscht und neu erzeugt.`,
      );
    onProgress('Alten Landkreis löschen', 0, 1);
    await deleteTenant(client, existing);
    onProgress('Alten Landkreis löschen', 1, 1);
    replaced = true;
  }
  const passwordHash = options.passwordHash ?? (await hashPassword(BENCH_PASSWORD));
  const now = Date.now();
  const tenantId = randomUUID();

  // tenant and org units: root, departments (Fachbereiche), offices (Ämter) below them
  const units: Array<[string, string | null, string, string]> = [];
  const rootId = randomUUID();
  units.push([rootId, null, 'LR', 'Landrätin / Landrat']);
  const deptCount = Math.min(unitCount - 1, Math.max(1, Math.round(Math.sqrt(unitCount - 1) / 1.5)));
  const depts: string[] = [];
  for (let d = 0; d < deptCount; d++) {
    const id = randomUUID();
    depts.push(id);
    units.push([id, rootId, `FB${d + 1}`, `Fachbereich ${d + 1}`]);
  }
  for (let a = 0; units.length < unitCount; a++)
    units.push([randomUUID(), depts[a % depts.length] ?? rootId, `AMT${String(a + 1).padStart(3, '0')}`, `Amt ${a + 1}`]);
  const leaves = units.length > 1 + deptCount ? units.slice(1 + deptCount).map((u) => u[0]) : units.map((u) => u[0]);
  const pathIds = [...content.paths.keys()];
  // every 20th office gets an explicit path (exercises the org-unit branch of resolvePath)
  const assignments =
    pathIds.length === 0
      ? []
      : leaves.filter((_, i) => i % 20 === 7).map((unitId, i) => [randomUUID(), unitId, pathIds[i % pathIds.length] as string]);
  await client.batch(
    [
      {
        sql: 'INSERT INTO tenants (id, slug, name, settings, status, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        args: [tenantId, slug, `Landkreis ${slug} (Lasttest)`, '{}', 'active', now - 400 * DAY],
      },
      {
        sql: `INSERT INTO org_units (id, tenant_id, parent_id, code, name)
              SELECT value->>0, ?1, value->>1, value->>2, value->>3 FROM json_each(?2)`,
        args: [tenantId, JSON.stringify(units)],
      },
      {
        sql: `INSERT INTO path_assignments (id, tenant_id, user_id, org_unit_id, path_id, due_at, assigned_by, created_at)
              SELECT value->>0, ?1, NULL, value->>1, value->>2, NULL, NULL, ?3 FROM json_each(?2)`,
        args: [tenantId, JSON.stringify(assignments), now - 200 * DAY],
      },
    ],
    'write',
  );

  // people: ids sorted so that every later insert keyed by user id appends to its index
  const accountsStarted = performance.now();
  const ids = Array.from({ length: staff }, () => randomUUID()).sort();
  const roleOf = new Uint8Array(staff);
  const baseOf = new Float64Array(staff);
  let userRoles = 0;
  for (const [b, part] of chunks(ids, batchRows).entries()) {
    const users: unknown[] = [];
    const roles: Array<[string, string]> = [];
    part.forEach((id, k) => {
      const i = b * batchRows + k;
      let r = random();
      let role = 0;
      while (role < JOB_ROLES.length - 1 && r >= (JOB_ROLES[role]?.[0] ?? 1)) r -= JOB_ROLES[role++]?.[0] ?? 1;
      roleOf[i] = role;
      const created = now - Math.floor((300 + random() * 90) * DAY);
      baseOf[i] = created + Math.floor(random() * 60 * DAY);
      const name = `${FIRST[Math.floor(random() * FIRST.length)]} ${LAST[Math.floor(random() * LAST.length)]}`;
      users.push([id, leaves[Math.floor(random() * leaves.length)], benchEmail(slug, i), name, JOB_ROLES[role]?.[1], created]);
      roles.push([id, 'learner']);
      for (const extra of JOB_ROLES[role]?.[2] ?? []) roles.push([id, extra]);
      if (i === 0) roles.push([id, 'admin']);
    });
    await client.batch(
      [
        {
          sql: `INSERT INTO users (id, tenant_id, org_unit_id, email, name, job_role, status, password_hash, created_at)
                SELECT value->>0, ?1, value->>1, value->>2, value->>3, value->>4, 'active', ?2, value->>5 FROM json_each(?3)`,
          args: [tenantId, passwordHash, JSON.stringify(users)],
        },
        {
          sql: 'INSERT INTO user_roles (user_id, role, tenant_id) SELECT value->>0, value->>1, ?1 FROM json_each(?2)',
          args: [tenantId, JSON.stringify(roles)],
        },
      ],
      'write',
    );
    userRoles += roles.length;
    onProgress('Konten', Math.min(staff, (b + 1) * batchRows), staff);
    await yieldToEventLoop();
  }

  // lesson progress, expanded in SQLite from (person, sequence, lessons read, lessons done, start time)
  const progressStarted = performance.now();
  const counts = progressCounts(staff, progressRows, seq.length, random);
  const seqJson = JSON.stringify(seq.lessons);
  const quizInfo = new Map<string, { version: string; seed: string; layout: string; max: number; minutes: number }>();
  for (const [quizId, q] of content.quizzes) {
    const seed = `bench-${quizId}`;
    const layout = drawAttempt(q.quiz, seededRandom(seed));
    quizInfo.set(quizId, {
      version: q.version,
      seed,
      layout: JSON.stringify(layout),
      max: layout.itemIds.length,
      minutes: q.quiz.timeLimitMinutes,
    });
  }
  const progressSql = `
    WITH seq(s, pos, course_id, lesson_id, version) AS MATERIALIZED (
           SELECT value->>0, value->>1, value->>2, value->>3, value->>4 FROM json_each(?2)),
         u(user_id, s, k, done, base) AS MATERIALIZED (
           SELECT value->>0, value->>1, value->>2, value->>3, value->>4 FROM json_each(?3))
    INSERT INTO lesson_progress (tenant_id, user_id, course_id, lesson_id, lesson_version, started_at, completed_at, last_seen_at)
    SELECT ?1, u.user_id, seq.course_id, seq.lesson_id, seq.version, u.base + seq.pos * ${DAY},
           CASE WHEN seq.pos < u.done THEN u.base + seq.pos * ${DAY} + 900000 END,
           u.base + seq.pos * ${DAY} + CASE WHEN seq.pos < u.done THEN 900000 ELSE 0 END
    FROM u JOIN seq ON seq.s = u.s AND seq.pos < u.k
    ORDER BY u.user_id, seq.course_id, seq.lesson_id`;
  // per-quiz constants (version, seed, layout) come from a small table, so each row's JSON stays short:
  // `->>` re-reads the row's JSON text once per column
  const quizJson = JSON.stringify([...quizInfo].map(([id, q]) => [id, q.version, q.seed, q.layout, q.minutes * 60_000]));
  const attemptSql = `
    WITH q(quiz_id, version, seed, layout, limit_ms) AS MATERIALIZED (
           SELECT value->>0, value->>1, value->>2, value->>3, value->>4 FROM json_each(?3)),
         a(id, user_id, quiz_id, course_id, started_at, submitted_at, score, max_score) AS MATERIALIZED (
           SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7 FROM json_each(?2))
    INSERT INTO quiz_attempts (id, tenant_id, user_id, quiz_id, course_id, quiz_version, seed, layout, status, started_at, expires_at,
                               submitted_at, score, max_score, passed, duration_ms)
    SELECT a.id, ?1, a.user_id, a.quiz_id, a.course_id, q.version, q.seed, q.layout, 'submitted', a.started_at, a.started_at + q.limit_ms,
           a.submitted_at, a.score, a.max_score, 1, a.submitted_at - a.started_at
    FROM a JOIN q ON q.quiz_id = a.quiz_id
    ORDER BY a.id`;
  const completionSql = `
    INSERT INTO course_completions (id, tenant_id, user_id, course_id, course_version, quiz_attempt_id, completed_at)
    SELECT value->>0, ?1, value->>1, value->>2, value->>3, value->>4, value->>5 FROM json_each(?2)`;
  let written = 0;
  let attempts = 0;
  let completions = 0;
  let specs: unknown[] = [];
  let attemptRows: unknown[] = [];
  let completionRows: unknown[] = [];
  let pending = 0;
  const nextId = sequentialIds();
  const flush = async (): Promise<void> => {
    if (specs.length === 0) return;
    const stmts = [{ sql: progressSql, args: [tenantId, seqJson, JSON.stringify(specs)] }];
    if (attemptRows.length > 0) stmts.push({ sql: attemptSql, args: [tenantId, JSON.stringify(attemptRows), quizJson] });
    if (completionRows.length > 0) stmts.push({ sql: completionSql, args: [tenantId, JSON.stringify(completionRows)] });
    await client.batch(stmts, 'write');
    written += pending;
    attempts += attemptRows.length;
    completions += completionRows.length;
    specs = [];
    attemptRows = [];
    completionRows = [];
    pending = 0;
    onProgress('Lernstände', written, progressRows);
    await yieldToEventLoop();
  };
  const coursesBySeq = JOB_ROLES.map((_, s) => seq.courses.filter((c) => c.seq === s));
  for (let i = 0; i < staff; i++) {
    const k = counts[i] as number;
    if (k === 0) continue;
    // the last lesson read is still open for most people
    const done = k === seq.length || random() < 0.3 ? k : k - 1;
    const base = baseOf[i] as number;
    const s = roleOf[i] as number;
    specs.push([ids[i], s, k, done, base]);
    pending += k;
    for (const c of coursesBySeq[s] ?? []) {
      if (c.end > done) break;
      const quizId = content.courses.get(c.courseId)?.course.quiz;
      const q = quizId ? quizInfo.get(quizId) : undefined;
      const lastLesson = base + (c.end - 1) * DAY + 900_000;
      if (q && quizId && random() < share) {
        const attemptId = nextId();
        const startedAt = lastLesson + 3_600_000;
        const submittedAt = startedAt + Math.floor((5 + random() * 15) * 60_000);
        const score = q.max - Math.floor(random() * Math.max(1, Math.floor(q.max * 0.2) + 1));
        attemptRows.push([attemptId, ids[i], quizId, c.courseId, startedAt, submittedAt, score, q.max]);
        completionRows.push([nextId(), ids[i], c.courseId, content.courses.get(c.courseId)?.version, attemptId, submittedAt]);
      }
    }
    if (pending >= batchRows) await flush();
  }
  await flush();
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const cpu = process.cpuUsage(cpuStart);
  return {
    tenantId,
    orgUnits: units.length,
    users: staff,
    userRoles,
    progressRows: written,
    quizAttempts: attempts,
    courseCompletions: completions,
    pathAssignments: assignments.length,
    replaced,
    ms: Math.round(performance.now() - started),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    phaseMs: {
      setup: Math.round(accountsStarted - started),
      accounts: Math.round(progressStarted - accountsStarted),
      progress: Math.round(performance.now() - progressStarted),
    },
    peakRssMb,
  };
}

const USAGE =
  'kiko demo generate --tenant KÜRZEL [--staff 1000] [--org-units 20] [--progress-rows N] [--completion-share 0.2] [--replace] [--seed TEXT] [--batch-rows 5000] [--allow-production] [--json]';

function intFlag(value: string | boolean | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(String(value).replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} braucht eine ganze Zahl ≥ 0.\n${USAGE}`);
  return n;
}

/** A progress display: a bar on a terminal, otherwise one line per phase and tenth. */
function progressReporter(io: CliIo): { update: ProgressFn; stop(): void } {
  if (process.stderr.isTTY) {
    const bars = new cliProgress.MultiBar(
      { format: ' {phase} [{bar}] {percentage}% | {value}/{total}', hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    const byPhase = new Map<string, cliProgress.SingleBar>();
    return {
      update(phase, done, total) {
        let bar = byPhase.get(phase);
        if (!bar) {
          bar = bars.create(total, 0, { phase: phase.padEnd(24) });
          byPhase.set(phase, bar);
        }
        bar.update(done, { phase: phase.padEnd(24) });
      },
      stop: () => bars.stop(),
    };
  }
  const lastTenth = new Map<string, number>();
  return {
    update(phase, done, total) {
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      if ((lastTenth.get(phase) ?? -1) >= tenth) return;
      lastTenth.set(phase, tenth);
      io.out(`${phase}: ${done.toLocaleString('de-DE')} von ${total.toLocaleString('de-DE')} (${tenth * 10} %)`);
    },
    stop: () => {},
  };
}

export async function generateCommand(args: string[], io: CliIo): Promise<number> {
  const f = parseFlags(args, {
    tenant: 'string',
    staff: 'string',
    'org-units': 'string',
    'progress-rows': 'string',
    'completion-share': 'string',
    replace: 'boolean',
    seed: 'string',
    'batch-rows': 'string',
    'allow-production': 'boolean',
    json: 'boolean',
  });
  if (!f.tenant || typeof f.tenant !== 'string') throw new UsageError(`--tenant fehlt.\n${USAGE}`);
  const staff = intFlag(f.staff, 'staff', 1000);
  const options: GenerateOptions = {
    tenant: f.tenant,
    staff,
    orgUnits: intFlag(f['org-units'], 'org-units', 20),
    progressRows: intFlag(f['progress-rows'], 'progress-rows', staff * 10),
    completionShare: f['completion-share'] === undefined ? undefined : Number(f['completion-share']),
    replace: f.replace === true,
    seed: typeof f.seed === 'string' ? f.seed : undefined,
    batchRows: f['batch-rows'] === undefined ? undefined : intFlag(f['batch-rows'], 'batch-rows', 5000),
  };
  if (options.completionShare !== undefined && !(options.completionShare >= 0 && options.completionShare <= 1))
    throw new UsageError('--completion-share liegt zwischen 0 und 1.');
  const env = getEnv();
  if (env.NODE_ENV === 'production' && f['allow-production'] !== true) {
    io.err(
      `Abgebrochen: NODE_ENV=production. Die erzeugten Konten haben alle das öffentlich bekannte Passwort "${BENCH_PASSWORD}". Nur für Lasttest-Datenbanken; wenn das eine ist: --allow-production.`,
    );
    return 1;
  }
  const { db, client, close } = await openDb({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  const progress = f.json ? { update: () => {}, stop: () => {} } : progressReporter(io);
  try {
    await runMigrations(db);
    const r = await generateTenant(client, options, progress.update);
    progress.stop();
    if (f.json) {
      io.out(JSON.stringify(r));
      return 0;
    }
    const n = (x: number): string => x.toLocaleString('de-DE');
    io.out(
      `Landkreis "${options.tenant}"${r.replaced ? ' (ersetzt)' : ''}: ${n(r.orgUnits)} Organisationseinheiten, ${n(r.users)} Konten, ${n(r.progressRows)} Lernstände, ` +
        `${n(r.quizAttempts)} Quizversuche, ${n(r.courseCompletions)} Kursabschlüsse, ${n(r.pathAssignments)} Lernpfad-Zuweisungen in ${(r.ms / 1000).toFixed(1)} s (höchstens ${r.peakRssMb} MB RSS).`,
    );
    io.out(
      `Anmeldung z. B. ${benchEmail(options.tenant, 0)} (Administration) oder ${benchEmail(options.tenant, 1)}, Passwort für alle: ${BENCH_PASSWORD}`,
    );
    return 0;
  } catch (e) {
    progress.stop();
    if (e instanceof TenantExistsError) {
      io.err(`Fehler: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    close();
  }
}
