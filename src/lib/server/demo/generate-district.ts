/**
 * A large synthetic district for load tests (`kiko demo generate`, src/cli/demo-generate.ts): the tenant, an org unit
 * tree, staff accounts with roles (all sharing one argon2id hash of BENCH_PASSWORD, computed once), lesson progress
 * along each person's learning path, for part of the fully read courses a passed quiz attempt with its course
 * completion, and path assignments to offices and to single people.
 *
 * Written through the learning record (db/schema/evidence.ts): every projection row comes with its facts, and the
 * projection shows exactly what the facts say. The history spans the last 24 months: `record.started` at its start
 * (also `tenants.record_started_at`, so the migration snapshot leaves the district alone), one `membership.changed`
 * and one `roles.changed` per person when the account is created, a later move to another office for about 5 % of
 * the people (recorded up to ten days late, as a directory import would), `path.assigned` / `path.unassigned` for the
 * assignments (some replaced by a newer one; path_assignments shows only the active ones), `lesson.started` and
 * `lesson.completed` for every lesson_progress row, `quiz.started`, `quiz.submitted` and `course.completed` for
 * every attempt and completion. Online facts are recorded within a second of their effective time, by the learner.
 * Content versions are those of the loaded ContentSet, except that a few lessons "changed" a year ago: progress
 * that began before that carries a made-up older version (`old-<hash>`, archived as "nicht archiviert").
 *
 * Speed and memory: rows go in as one INSERT … SELECT per batch whose rows travel as a single JSON parameter
 * (`json_each`), lesson progress is expanded inside SQLite from a compact per-person spec (who, which path, how far,
 * when), and the lesson facts are read back from the progress rows just written, so both agree by construction.
 * Between batches the generator yields to the event loop (`setImmediate`): the local libSQL driver is synchronous,
 * and a tight loop of native calls never lets Node release what the batches allocated. Person ids are generated up
 * front and sorted, so the indexes keyed by person only ever grow at their right edge; people are numbered in the order
 * they begin learning, so a batch's facts land in one part of the record's index by type and time; several batches
 * share one transaction with a 32 MiB page cache (the figures before and after the record: bench/README.md).
 *
 * Not generated: audit events (the tenant's audit chain starts empty), quiz responses of the historic attempts,
 * certificates. An existing tenant with the same slug is refused unless `replace` is set. Replacing deletes a
 * district that has no facts and no audit events; one that has them (every district generated since the learning
 * record exists) cannot be deleted, because both are append-only: it is retired instead (slug and logins get the
 * suffix `-ersetzt-<time>`, status suspended, sessions ended) and keeps its record.
 */
import { createHash, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Client, InStatement, Transaction } from '@libsql/client';
import type { LearningEventType } from '../../../../db/schema/index.ts';
import { hashPassword } from '../auth/password.ts';
import { type ContentSet, loadContent } from '../content/load-content.ts';
import { ValidationError } from '../errors/domain-errors.ts';
import { defaultPathFor } from '../learning/resolve-path.ts';
import { drawAttempt, seededRandom } from '../quizzes/draw-attempt.ts';

/** Password of every generated account (public: never generate into a production database). */
export const BENCH_PASSWORD = 'kiko-bench';

/** Login of the generated person number `i` (0-based) of tenant `slug`. */
export function benchEmail(slug: string, i: number): string {
  return `person-${String(i + 1).padStart(6, '0')}@${slug}.example`;
}

/** Actor of the facts the generator records on behalf of the district's administration (learners record their own). */
export const GENERATOR_ACTOR = 'system:demo-generate';

export interface GenerateOptions {
  /** Tenant slug. */
  tenant: string;
  staff: number;
  orgUnits: number;
  progressRows: number;
  /** Share (0…1) of fully read courses that also get a passed quiz attempt and a course completion. */
  completionShare?: number;
  /** Replace an existing tenant with this slug (deleted, or retired when it has a learning record) first. */
  replace?: boolean;
  /** argon2id PHC string for every account; computed from BENCH_PASSWORD when omitted. */
  passwordHash?: string;
  /** Seed of the pseudo-random choices (names, units, progress); same seed, same shape. */
  seed?: string;
  /** Rows per INSERT. */
  batchRows?: number;
  /** Project root with courses/, quizzes/, content/. */
  root?: string;
  /** Lesson progress rows per transaction (several batches each; default 100,000). */
  commitRows?: number;
  /** SQLite page cache (KiB) of the connection while writing progress (default 32 MiB; reset afterwards). */
  cacheKib?: number;
  /** End of the generated history (default: now). */
  now?: Date;
}

export interface GenerateResult {
  tenantId: string;
  orgUnits: number;
  users: number;
  userRoles: number;
  progressRows: number;
  quizAttempts: number;
  courseCompletions: number;
  /** Active path assignments (rows of path_assignments). */
  pathAssignments: number;
  /** Facts written to the learning record. */
  facts: number;
  /** Start of the generated history (record.started, tenants.record_started_at). */
  recordStartedAt: number;
  replaced: boolean;
  /** How the old tenant was replaced: deleted, or retired because its learning record cannot be deleted. */
  replacedHow: 'deleted' | 'retired' | null;
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
/** Length of the generated history. */
const HISTORY_DAYS = 730;
/** Lessons that changed since are read in an older version before this many days ago. */
const CONTENT_CHANGE_DAYS = 365;
/** Share of lessons whose content changed (chosen by a hash of the lesson id): with today's curriculum 6 of 47 lessons, about 12 % of the completions older than a year. */
const CHANGED_LESSON_SHARE = 0.06;
/** Share of people who moved to another office during the history. */
const MOVE_SHARE = 0.05;
/** Share of people with a path assigned to them personally (with a due date for most). */
const PERSONAL_ASSIGNMENT_SHARE = 0.03;
/** Share of assignments later ended and replaced by a new one. */
const REASSIGN_SHARE = 0.3;

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

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The made-up version a changed lesson had before (stable per lesson and current version). */
export function olderLessonVersion(courseId: string, lessonId: string, version: string): string {
  return `old-${sha(`${courseId}/${lessonId}@${version}`).slice(0, 12)}`;
}

/** Whether the lesson's content "changed" a year ago (about CHANGED_LESSON_SHARE of the lessons). */
function lessonChanged(courseId: string, lessonId: string): boolean {
  return Number.parseInt(sha(`changed:${courseId}/${lessonId}`).slice(0, 4), 16) / 0x10000 < CHANGED_LESSON_SHARE;
}

interface LessonStep {
  seq: number;
  pos: number;
  courseId: string;
  lessonId: string;
  version: string;
  /** The version read before the content change, or null when the lesson did not change. */
  older: string | null;
}

/** One learning sequence per job role: the path's required, then optional courses, then all others by `order`. */
interface Sequences {
  lessons: LessonStep[];
  courses: Array<{ seq: number; courseId: string; end: number }>;
  length: number;
}

function sequences(content: ContentSet): Sequences {
  const allCourses = [...content.courses.values()].sort((a, b) => a.course.order - b.course.order).map((c) => c.course.id);
  const lessons: LessonStep[] = [];
  const courses: Array<{ seq: number; courseId: string; end: number }> = [];
  let length = Number.POSITIVE_INFINITY;
  JOB_ROLES.forEach(([, role], seq) => {
    const path = defaultPathFor(content, role);
    const order = [...new Set([...(path?.required ?? []), ...(path?.optional ?? []), ...allCourses])].filter((id) =>
      content.courses.has(id),
    );
    let pos = 0;
    for (const courseId of order) {
      for (const l of content.courses.get(courseId)?.lessons ?? [])
        lessons.push({
          seq,
          pos: pos++,
          courseId,
          lessonId: l.id,
          version: l.version,
          older: lessonChanged(courseId, l.id) ? olderLessonVersion(courseId, l.id, l.version) : null,
        });
      courses.push({ seq, courseId, end: pos });
    }
    length = Math.min(length, pos);
  });
  return { lessons, courses, length };
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

/**
 * Start, duration and completion of lesson `pos` of a person, in whole milliseconds. The same arithmetic runs in
 * SQL (progressSql), so attempts can start after the last lesson of a course without reading the rows back.
 */
const lessonStart = (base: number, gap: number, pos: number): number => base + pos * gap;
const lessonMinutesMs = (jitter: number, pos: number): number => 300_000 + ((pos * 7919 + jitter) % 1_500_000);

/** A fact as one JSON array (the generic fact insert reads its fields by position). */
type FactRow = [
  userId: string | null,
  orgUnitId: string | null,
  type: LearningEventType,
  subject: string | null,
  ref: string | null,
  version: string | null,
  how: 'online' | null,
  data: string,
  effectiveAt: number,
  recordedAt: number,
  actorId: string | null,
  idemKey: string | null,
];

const factSql = `
  INSERT INTO learning_events (tenant_id, user_id, org_unit_id, type, subject, ref, version, how, data, effective_at, recorded_at,
                               actor_id, idem_key)
  SELECT ?1, value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, value->>8, value->>9,
         value->>10, value->>11
  FROM json_each(?2)`;

const factStatement = (tenantId: string, facts: readonly FactRow[]): InStatement => ({
  sql: factSql,
  args: [tenantId, JSON.stringify(facts)],
});

// active assignments: [id, user id, org unit id, path id, due at, created at]
type AssignmentRow = [string, string | null, string | null, string, number | null, number];
/** Records an assignment (and, for some, its end and a newer one) in `out`; returns the active one for path_assignments. */
type AssignFn = (
  out: FactRow[],
  userId: string | null,
  orgUnitId: string | null,
  pathId: string,
  at: number,
  dueAt: number | null,
) => AssignmentRow;

const assignmentSql = `
  INSERT INTO path_assignments (id, tenant_id, user_id, org_unit_id, path_id, due_at, assigned_by, created_at)
  SELECT value->>0, ?1, value->>1, value->>2, value->>3, value->>4, NULL, value->>5 FROM json_each(?2)`;

function makeAssigner(random: () => number, now: number, pathIds: readonly string[]): AssignFn {
  const small = (ms: number): number => Math.floor(random() * ms);
  return (
    out: FactRow[],
    userId: string | null,
    orgUnitId: string | null,
    pathId: string,
    at: number,
    dueAt: number | null,
  ): AssignmentRow => {
    const fact = (type: LearningEventType, id: string, path: string, eff: number, data: Record<string, unknown>): FactRow => [
      userId,
      orgUnitId,
      type,
      path,
      id,
      null,
      null,
      JSON.stringify(data),
      eff,
      eff + 1000 + small(5000),
      GENERATOR_ACTOR,
      null,
    ];
    const id = randomUUID();
    out.push(fact('path.assigned', id, pathId, at, { dueAt }));
    if (random() >= REASSIGN_SHARE || at > now - 40 * DAY) return [id, userId, orgUnitId, pathId, dueAt, at];
    const endedAt = at + 20 * DAY + small(now - at - 40 * DAY);
    out.push(fact('path.unassigned', id, pathId, endedAt, {}));
    // the new assignment: an office gets another path, a person the same one with a new due date
    const nextPath = orgUnitId ? (pathIds[(pathIds.indexOf(pathId) + 1) % pathIds.length] as string) : pathId;
    const nextId = randomUUID();
    const nextAt = endedAt + 60_000;
    const nextDue = orgUnitId ? null : nextAt + 60 * DAY;
    out.push(fact('path.assigned', nextId, nextPath, nextAt, { dueAt: nextDue }));
    return [nextId, userId, orgUnitId, nextPath, nextDue, nextAt];
  };
}

/** The older versions of the changed lessons, as referenced by old facts only ("nicht archiviert"). */
function olderVersionsStatement(content: ContentSet, seq: Sequences, at: number): InStatement {
  const olderVersions = new Map<string, [string, string, string, string]>();
  for (const l of seq.lessons) {
    const title = content.courses.get(l.courseId)?.lessons.find((x) => x.id === l.lessonId)?.frontmatter.title ?? l.lessonId;
    if (l.older) olderVersions.set(`${l.courseId}/${l.lessonId}`, [`${l.courseId}/${l.lessonId}`, l.older, title, '{}']);
  }
  return {
    sql: `INSERT OR IGNORE INTO content_versions (kind, content_id, version, title, data, archived, first_served_at)
          SELECT 'lesson', value->>0, value->>1, value->>2, value->>3, 0, ?1 FROM json_each(?2)`,
    args: [at, JSON.stringify([...olderVersions.values()])],
  };
}

async function tenantIdOf(client: Client, slug: string): Promise<string | null> {
  const r = await client.execute({ sql: 'SELECT id FROM tenants WHERE slug = ?', args: [slug] });
  return r.rows[0] ? String(r.rows[0].id) : null;
}

/**
 * Deletes a tenant and everything that belongs to it, in foreign-key order, in one transaction. Refused by the
 * database (append-only triggers) when the tenant has facts in its learning record or audit events: use
 * `replaceTenant`, which retires such a tenant instead.
 */
export async function deleteTenant(client: Client, tenantId: string): Promise<void> {
  const users = 'SELECT id FROM users WHERE tenant_id = ?1';
  await client.batch(
    [
      'DELETE FROM certificates WHERE tenant_id = ?1',
      'DELETE FROM course_completions WHERE tenant_id = ?1',
      'DELETE FROM quiz_responses WHERE attempt_id IN (SELECT id FROM quiz_attempts WHERE tenant_id = ?1)',
      'DELETE FROM quiz_attempts WHERE tenant_id = ?1',
      'DELETE FROM course_progress WHERE tenant_id = ?1',
      'DELETE FROM lesson_progress WHERE tenant_id = ?1',
      'DELETE FROM path_assignments WHERE tenant_id = ?1',
      'DELETE FROM cohort_multipliers WHERE tenant_id = ?1',
      'DELETE FROM cohort_rules WHERE tenant_id = ?1',
      'DELETE FROM cohorts WHERE tenant_id = ?1',
      `DELETE FROM sessions WHERE user_id IN (${users})`,
      `DELETE FROM user_roles WHERE user_id IN (${users})`,
      'DELETE FROM users WHERE tenant_id = ?1',
      'DELETE FROM org_units WHERE tenant_id = ?1',
      'DELETE FROM audit_events WHERE tenant_id = ?1',
      'DELETE FROM import_uploads WHERE tenant_id = ?1',
      'DELETE FROM import_run_batches WHERE run_id IN (SELECT id FROM import_runs WHERE tenant_id = ?1)',
      'DELETE FROM import_runs WHERE tenant_id = ?1',
      'DELETE FROM import_mappings WHERE tenant_id = ?1',
      'DELETE FROM tenants WHERE id = ?1',
    ].map((sql) => ({ sql, args: [tenantId] })),
    'write',
  );
}

/**
 * Frees the tenant's slug and logins for a new district. A tenant without facts and audit events is deleted; one
 * with them keeps its record (append-only) and is retired: slug and logins get `-ersetzt-<time>`, status suspended,
 * its sessions end.
 */
export async function replaceTenant(client: Client, tenantId: string, now = Date.now()): Promise<'deleted' | 'retired'> {
  const r = await client.execute({
    sql: `SELECT EXISTS (SELECT 1 FROM learning_events WHERE tenant_id = ?1) OR EXISTS (SELECT 1 FROM audit_events WHERE tenant_id = ?1) AS kept`,
    args: [tenantId],
  });
  if (!Number(r.rows[0]?.kept)) {
    await deleteTenant(client, tenantId);
    return 'deleted';
  }
  const suffix = `-ersetzt-${new Date(now).toISOString().replace(/\D/g, '').slice(0, 14)}`;
  await client.batch(
    [
      { sql: 'DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE tenant_id = ?1)', args: [tenantId] },
      { sql: "UPDATE users SET email = replace(email, '@', ?2 || '@') WHERE tenant_id = ?1", args: [tenantId, suffix] },
      { sql: "UPDATE tenants SET slug = slug || ?2, status = 'suspended' WHERE id = ?1", args: [tenantId, suffix] },
    ],
    'write',
  );
  return 'retired';
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
  if (staff < 1 || unitCount < 1) throw new ValidationError('--staff und --org-units müssen mindestens 1 sein.');
  if (progressRows < 0 || progressRows > staff * seq.length)
    throw new ValidationError(
      `--progress-rows muss zwischen 0 und ${staff * seq.length} liegen (${staff} Personen × ${seq.length} Lektionen).`,
    );

  let replacedHow: GenerateResult['replacedHow'] = null;
  const existing = await tenantIdOf(client, slug);
  if (existing) {
    if (!options.replace)
      throw new TenantExistsError(
        `Den Landkreis "${slug}" gibt es schon. Mit --replace wird er ersetzt (gelöscht oder, wenn er ein Lernprotokoll hat, stillgelegt und umbenannt).`,
      );
    onProgress('Alten Landkreis ersetzen', 0, 1);
    replacedHow = await replaceTenant(client, existing);
    onProgress('Alten Landkreis ersetzen', 1, 1);
  }
  const passwordHash = options.passwordHash ?? (await hashPassword(BENCH_PASSWORD));
  const now = (options.now ?? new Date()).getTime();
  const historyStart = now - HISTORY_DAYS * DAY;
  const contentChangedAt = now - CONTENT_CHANGE_DAYS * DAY;
  const tenantId = randomUUID();
  const small = (ms: number): number => Math.floor(random() * ms);
  let facts = 0;

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

  const setupFacts: FactRow[] = [
    [
      null,
      null,
      'record.started',
      null,
      null,
      null,
      null,
      JSON.stringify({ source: 'demo-generate' }),
      historyStart,
      historyStart,
      GENERATOR_ACTOR,
      null,
    ],
  ];
  const assign = makeAssigner(random, now, pathIds);
  // every 20th office gets an explicit path (exercises the org-unit branch of resolvePath)
  const unitAssignments: AssignmentRow[] =
    pathIds.length === 0
      ? []
      : leaves
          .filter((_, i) => i % 20 === 7)
          .map((unitId, i) =>
            assign(setupFacts, null, unitId, pathIds[i % pathIds.length] as string, historyStart + 30 * DAY + small(300 * DAY), null),
          );
  // lessons whose content changed: their older version, as referenced by old facts only ("nicht archiviert")
  await client.batch(
    [
      {
        sql: 'INSERT INTO tenants (id, slug, name, settings, status, created_at, record_started_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        args: [tenantId, slug, `Landkreis ${slug} (Lasttest)`, '{}', 'active', historyStart, historyStart],
      },
      {
        sql: `INSERT INTO org_units (id, tenant_id, parent_id, code, name)
              SELECT value->>0, ?1, value->>1, value->>2, value->>3 FROM json_each(?2)`,
        args: [tenantId, JSON.stringify(units)],
      },
      { sql: assignmentSql, args: [tenantId, JSON.stringify(unitAssignments)] },
      factStatement(tenantId, setupFacts),
      olderVersionsStatement(content, seq, historyStart),
    ],
    'write',
  );
  facts += setupFacts.length;
  let activeAssignments = unitAssignments.length;

  const staffResult = await writeStaff(client, {
    tenantId,
    content,
    seq,
    leaves,
    staff,
    progressRows,
    share,
    batchRows,
    random,
    now,
    historyStart,
    contentChangedAt,
    passwordHash,
    assign,
    emailOf: (i) => benchEmail(slug, i),
    nameOf: () => `${FIRST[Math.floor(random() * FIRST.length)]} ${LAST[Math.floor(random() * LAST.length)]}`,
    extraGrants: (i) => (i === 0 ? ['admin'] : []),
    cacheKib: options.cacheKib,
    commitRows: options.commitRows,
    onProgress,
  });
  facts += staffResult.facts;
  activeAssignments += staffResult.pathAssignments;
  const {
    userRoles,
    progressRows: written,
    quizAttempts: attempts,
    courseCompletions: completions,
    accountsStarted,
    progressStarted,
  } = staffResult;

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
    pathAssignments: activeAssignments,
    facts,
    recordStartedAt: historyStart,
    replaced: replacedHow !== null,
    replacedHow,
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

/** What one run of writeStaff needs: the tenant, its offices, the shape of the people and their learning. */
interface StaffRun {
  tenantId: string;
  content: ContentSet;
  seq: Sequences;
  /** Offices people are placed in (and move between). */
  leaves: readonly string[];
  /** Everyone starts in this office (and may move to one of `leaves` later); default: a random one of `leaves`. */
  homeUnit?: string;
  staff: number;
  progressRows: number;
  /** Share of fully read courses with a passed quiz attempt and a course completion. */
  share: number;
  batchRows: number;
  random: () => number;
  now: number;
  historyStart: number;
  contentChangedAt: number;
  passwordHash: string;
  assign: AssignFn;
  emailOf: (i: number, name: string) => string;
  /** Draws a name (from `random`). */
  nameOf: () => string;
  /** User roles besides learner and those of the job role. */
  extraGrants?: (i: number) => readonly string[];
  /** Whether HR and multiplier job roles also get the hr / multiplier user role (default true). */
  jobRoleGrants?: boolean;
  cacheKib?: number;
  commitRows?: number;
  onProgress: ProgressFn;
  /** The caller's open write transaction: every write goes into it and nothing is committed here. */
  tx?: Transaction;
}

interface StaffResult {
  userRoles: number;
  progressRows: number;
  quizAttempts: number;
  courseCompletions: number;
  pathAssignments: number;
  facts: number;
  accountsStarted: number;
  progressStarted: number;
}

/**
 * Staff accounts with their memberships, roles, personal assignments, lesson progress, quiz attempts and course
 * completions, and the facts of all of them, in an existing tenant (see the module comment).
 */
async function writeStaff(client: Client, run: StaffRun): Promise<StaffResult> {
  const { tenantId, content, seq, leaves, staff, progressRows, share, batchRows, random, now, historyStart, contentChangedAt } = run;
  const { passwordHash, assign, onProgress } = run;
  const small = (ms: number): number => Math.floor(random() * ms);
  let facts = 0;
  let activeAssignments = 0;
  // people: ids sorted so that every later insert keyed by user id appends to its index. Most accounts come with
  // the first import and begin learning some time in the two years, the rest are new staff (until four months ago)
  // who begin within two months. People are numbered in the order they begin: one batch of people then learns in
  // the same weeks, and the record's index by type and time takes a batch's facts on a few pages (in random order,
  // every batch would touch most of that index, and every commit would write it again).
  const accountsStarted = performance.now();
  const ids = Array.from({ length: staff }, () => randomUUID()).sort();
  const roleOf = new Uint8Array(staff);
  const timeline = Array.from({ length: staff }, (): [number, number] => {
    const imported = random() < 0.7;
    const created = imported ? historyStart + small(30 * DAY) : historyStart + 30 * DAY + small(HISTORY_DAYS * DAY - 150 * DAY);
    const begins = imported ? created + small(now - 30 * DAY - created) : Math.min(created + small(60 * DAY), now - 30 * DAY);
    return [begins, created];
  }).sort((a, b) => a[0] - b[0]);
  const baseOf = Float64Array.from(timeline, (t) => t[0]);
  const createdOf = Float64Array.from(timeline, (t) => t[1]);
  timeline.length = 0;
  let userRoles = 0;
  // one transaction with a larger page cache, as for the progress below (memberships land all over the history)
  const outer = run.tx ?? null;
  const defaultCache = Number((await (outer ?? client).execute('PRAGMA cache_size')).rows[0]?.[0] ?? -2000);
  const cacheKib = run.cacheKib ?? 32_768;
  const accountsTx = outer ?? (await client.transaction('write'));
  try {
    await accountsTx.execute(`PRAGMA cache_size = -${cacheKib}`);
    for (const [b, part] of chunks(ids, batchRows).entries()) {
      const users: unknown[] = [];
      const roles: Array<[string, string]> = [];
      const accountFacts: FactRow[] = [];
      const personal: AssignmentRow[] = [];
      part.forEach((id, k) => {
        const i = b * batchRows + k;
        let r = random();
        let role = 0;
        while (role < JOB_ROLES.length - 1 && r >= (JOB_ROLES[role]?.[0] ?? 1)) r -= JOB_ROLES[role++]?.[0] ?? 1;
        roleOf[i] = role;
        const jobRole = JOB_ROLES[role]?.[1] as string;
        const created = createdOf[i] as number;
        const name = run.nameOf();
        const firstUnit = run.homeUnit ?? (leaves[Math.floor(random() * leaves.length)] as string);
        const membership = (orgUnitId: string): string => JSON.stringify({ orgUnitId, jobRole, status: 'active' });
        accountFacts.push([
          id,
          null,
          'membership.changed',
          null,
          null,
          null,
          null,
          membership(firstUnit),
          created,
          created + 1000 + small(60_000),
          GENERATOR_ACTOR,
          null,
        ]);
        let unit = firstUnit;
        if (leaves.length > 1 && created < now - 60 * DAY && random() < MOVE_SHARE) {
          const other = Math.floor(random() * (leaves.length - 1));
          unit = leaves[other >= leaves.indexOf(firstUnit) ? other + 1 : other] as string;
          const movedAt = created + 30 * DAY + small(now - created - 60 * DAY);
          // the directory import that brings the move runs up to ten days later
          const recordedAt = Math.min(now - 1000, movedAt + DAY / 2 + small(10 * DAY));
          accountFacts.push([
            id,
            null,
            'membership.changed',
            null,
            null,
            null,
            null,
            membership(unit),
            movedAt,
            recordedAt,
            GENERATOR_ACTOR,
            null,
          ]);
        }
        users.push([id, unit, run.emailOf(i, name), name, jobRole, created]);
        const grants = ['learner', ...(run.jobRoleGrants === false ? [] : (JOB_ROLES[role]?.[2] ?? [])), ...(run.extraGrants?.(i) ?? [])];
        for (const g of grants) roles.push([id, g]);
        accountFacts.push([
          id,
          null,
          'roles.changed',
          null,
          null,
          null,
          null,
          JSON.stringify({ grants: grants.map((g) => ({ role: g, scopeOrgUnitId: null })) }),
          created,
          created + 1000 + small(60_000),
          GENERATOR_ACTOR,
          null,
        ]);
        const path = defaultPathFor(content, jobRole);
        if (path && random() < PERSONAL_ASSIGNMENT_SHARE) {
          const at = created + DAY + small(20 * DAY);
          personal.push(assign(accountFacts, id, null, path.id, at, random() < 0.8 ? at + 90 * DAY : null));
        }
      });
      await accountsTx.batch([
        {
          sql: `INSERT INTO users (id, tenant_id, org_unit_id, email, name, job_role, status, password_hash, created_at)
                SELECT value->>0, ?1, value->>1, value->>2, value->>3, value->>4, 'active', ?2, value->>5 FROM json_each(?3)`,
          args: [tenantId, passwordHash, JSON.stringify(users)],
        },
        {
          sql: 'INSERT INTO user_roles (user_id, role, tenant_id) SELECT value->>0, value->>1, ?1 FROM json_each(?2)',
          args: [tenantId, JSON.stringify(roles)],
        },
        { sql: assignmentSql, args: [tenantId, JSON.stringify(personal)] },
        factStatement(tenantId, accountFacts),
      ]);
      userRoles += roles.length;
      facts += accountFacts.length;
      activeAssignments += personal.length;
      onProgress('Konten', Math.min(staff, (b + 1) * batchRows), staff);
      await yieldToEventLoop();
    }
    if (!outer) await accountsTx.commit();
  } finally {
    if (!outer) accountsTx.close();
  }

  // lesson progress, expanded in SQLite from (person, sequence, lessons read, lessons done, start, gap, jitter)
  const progressStarted = performance.now();
  const counts = progressCounts(staff, progressRows, seq.length, random);
  const seqJson = JSON.stringify(seq.lessons.map((l) => [l.seq, l.pos, l.courseId, l.lessonId, l.version, l.older]));
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
  // lessonStart / lessonMinutesMs in SQL; a changed lesson begun before the change was read in its older version
  const progressSql = `
    WITH seq(s, pos, course_id, lesson_id, version, older) AS MATERIALIZED (
           SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5 FROM json_each(?2)),
         u(user_id, s, k, done, base, gap, jitter) AS MATERIALIZED (
           SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6 FROM json_each(?3)),
         p AS (
           SELECT u.user_id, seq.course_id, seq.lesson_id, seq.version, seq.older, u.base + seq.pos * u.gap AS start,
                  CASE WHEN seq.pos < u.done THEN u.base + seq.pos * u.gap + 300000 + ((seq.pos * 7919 + u.jitter) % 1500000) END AS done_at
           FROM u JOIN seq ON seq.s = u.s AND seq.pos < u.k)
    INSERT INTO lesson_progress (tenant_id, user_id, course_id, lesson_id, lesson_version, started_at, completed_at, last_seen_at)
    SELECT ?1, user_id, course_id, lesson_id, CASE WHEN older IS NOT NULL AND start < ?4 THEN older ELSE version END, start, done_at,
           ifnull(done_at, start)
    FROM p
    ORDER BY user_id, course_id, lesson_id`;
  // the lesson facts of the batch's people, read back from the rows just written (a few hundred ms recording delay);
  // CROSS JOIN keeps the batch's people as the outer loop, so the facts come out in person order without a sort
  const lessonFactSql = `
    INSERT INTO learning_events (tenant_id, user_id, type, subject, ref, version, how, data, effective_at, recorded_at, actor_id, idem_key)
    SELECT ?1, lp.user_id, CASE k.n WHEN 0 THEN 'lesson.started' ELSE 'lesson.completed' END, lp.course_id, lp.lesson_id,
           lp.lesson_version, CASE k.n WHEN 1 THEN 'online' END, '{}',
           CASE k.n WHEN 0 THEN lp.started_at ELSE lp.completed_at END,
           CASE k.n WHEN 0 THEN lp.started_at + 50 + lp.started_at % 700 ELSE lp.completed_at + 50 + lp.completed_at % 700 END,
           lp.user_id,
           CASE k.n WHEN 0 THEN 'lesson-start:' || lp.user_id || ':' || lp.course_id || ':' || lp.lesson_id
                    ELSE 'lesson:' || lp.user_id || ':' || lp.course_id || ':' || lp.lesson_id || ':' || lp.lesson_version END
    FROM json_each(?2) AS u
    CROSS JOIN lesson_progress AS lp ON lp.tenant_id = ?1 AND lp.user_id = u.value
    CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1) AS k ON k.n = 0 OR lp.completed_at IS NOT NULL`;
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
  let batchUsers: string[] = [];
  let attemptRows: unknown[] = [];
  let completionRows: unknown[] = [];
  let quizFacts: FactRow[] = [];
  let pending = 0;
  const nextId = sequentialIds();
  // several batches per transaction, with a larger page cache: the record's index by type and time takes a batch's
  // facts on pages all over its recent part, and each commit writes every page it touched once more
  let tx: Transaction | null = null;
  let uncommitted = 0;
  const commitRows = run.commitRows ?? 100_000;
  const commit = async (): Promise<void> => {
    if (tx && tx !== outer) await tx.commit();
    tx = null;
  };
  const flush = async (last = false): Promise<void> => {
    if (specs.length === 0) {
      if (last) await commit();
      return;
    }
    const stmts: InStatement[] = [
      { sql: progressSql, args: [tenantId, seqJson, JSON.stringify(specs), contentChangedAt] },
      { sql: lessonFactSql, args: [tenantId, JSON.stringify(batchUsers)] },
    ];
    if (attemptRows.length > 0) stmts.push({ sql: attemptSql, args: [tenantId, JSON.stringify(attemptRows), quizJson] });
    if (completionRows.length > 0) stmts.push({ sql: completionSql, args: [tenantId, JSON.stringify(completionRows)] });
    if (quizFacts.length > 0) stmts.push(factStatement(tenantId, quizFacts));
    if (!tx) {
      tx = outer ?? (await client.transaction('write'));
      await tx.execute(`PRAGMA cache_size = -${cacheKib}`);
    }
    const r = await tx.batch(stmts);
    uncommitted += pending;
    if (uncommitted >= commitRows || last) {
      await commit();
      uncommitted = 0;
    }
    written += pending;
    facts += r[1]?.rowsAffected ?? 0;
    facts += quizFacts.length;
    attempts += attemptRows.length;
    completions += completionRows.length;
    specs = [];
    batchUsers = [];
    attemptRows = [];
    completionRows = [];
    quizFacts = [];
    pending = 0;
    onProgress('Lernstände', written, progressRows);
    await yieldToEventLoop();
  };
  const coursesBySeq = JOB_ROLES.map((_, s) => seq.courses.filter((c) => c.seq === s));
  try {
    for (let i = 0; i < staff; i++) {
      const k = counts[i] as number;
      if (k === 0) continue;
      const userId = ids[i] as string;
      // the last lesson read is still open for most people
      const done = k === seq.length || random() < 0.3 ? k : k - 1;
      // lessons every few days from the person's start on, the last at least two days ago
      const base = baseOf[i] as number;
      const gap = Math.max(60_000, Math.min(Math.floor(DAY / 3) + small(3 * DAY), Math.floor((now - 2 * DAY - base) / k)));
      const jitter = small(1_000_000);
      const s = roleOf[i] as number;
      specs.push([userId, s, k, done, base, gap, jitter]);
      batchUsers.push(userId);
      pending += k;
      for (const c of coursesBySeq[s] ?? []) {
        if (c.end > done) break;
        const quizId = content.courses.get(c.courseId)?.course.quiz;
        const q = quizId ? quizInfo.get(quizId) : undefined;
        if (!q || !quizId || random() >= share) continue;
        const lastLessonDone = lessonStart(base, gap, c.end - 1) + lessonMinutesMs(jitter, c.end - 1);
        const attemptId = nextId();
        const completionId = nextId();
        const startedAt = lastLessonDone + 60_000 + small(3_600_000);
        const submittedAt = startedAt + Math.floor((5 + random() * 15) * 60_000);
        const score = q.max - Math.floor(random() * Math.max(1, Math.floor(q.max * 0.2) + 1));
        const courseVersion = content.courses.get(c.courseId)?.version as string;
        attemptRows.push([attemptId, userId, quizId, c.courseId, startedAt, submittedAt, score, q.max]);
        completionRows.push([completionId, userId, c.courseId, courseVersion, attemptId, submittedAt]);
        const data = { courseId: c.courseId };
        const rec = (at: number): number => at + 50 + small(700);
        quizFacts.push(
          [userId, null, 'quiz.started', quizId, attemptId, q.version, null, JSON.stringify(data), startedAt, rec(startedAt), userId, null],
          [
            userId,
            null,
            'quiz.submitted',
            quizId,
            attemptId,
            q.version,
            null,
            JSON.stringify({ ...data, score, max: q.max, passed: true }),
            submittedAt,
            rec(submittedAt),
            userId,
            `submit:${attemptId}`,
          ],
          [
            userId,
            null,
            'course.completed',
            c.courseId,
            completionId,
            courseVersion,
            'online',
            JSON.stringify({ quizAttemptId: attemptId }),
            submittedAt,
            rec(submittedAt),
            userId,
            null,
          ],
        );
      }
      if (pending >= batchRows) await flush();
    }
    await flush(true);
  } finally {
    if (tx !== outer) (tx as Transaction | null)?.close();
    await (outer ?? client).execute(`PRAGMA cache_size = ${defaultCache}`);
  }
  return {
    userRoles,
    progressRows: written,
    quizAttempts: attempts,
    courseCompletions: completions,
    pathAssignments: activeAssignments,
    facts,
    accountsStarted,
    progressStarted,
  };
}

/** One office's share of the staff added by addStaff. */
export interface StaffGroup {
  orgUnitId: string;
  staff: number;
  /** Share (0…1) of the learning sequence read on average: offices progress unevenly. */
  progress: number;
}

export interface AddStaffOptions {
  tenantId: string;
  content: ContentSet;
  groups: readonly StaffGroup[];
  /** Offices people may move to (default: those of `groups`). */
  moveTargets?: readonly string[];
  passwordHash: string;
  seed: string;
  now: Date;
  /** Login of person number `i` (0-based over all groups). */
  emailOf: (i: number, name: string) => string;
  /** Draws a name from `random`. */
  nameOf: (random: () => number) => string;
  completionShare?: number;
  /** Whether HR and multiplier job roles also get those user roles (default false: everyone is a learner). */
  jobRoleGrants?: boolean;
  /** The caller's open write transaction: all staff are written in it, committed by the caller. */
  tx?: Transaction;
}

export interface AddStaffResult {
  users: number;
  progressRows: number;
  quizAttempts: number;
  courseCompletions: number;
  pathAssignments: number;
  facts: number;
  ms: number;
}

/**
 * Adds generated staff with a history to an existing tenant whose learning record has begun (the same people,
 * progress and facts as generateTenant, office by office): the history runs from the tenant's record start to `now`.
 */
export async function addStaff(client: Client, options: AddStaffOptions): Promise<AddStaffResult> {
  const started = performance.now();
  const { tenantId, content } = options;
  const db = options.tx ?? client;
  const r = await db.execute({ sql: 'SELECT record_started_at FROM tenants WHERE id = ?', args: [tenantId] });
  const recordStartedAt = r.rows[0]?.record_started_at;
  if (recordStartedAt === null || recordStartedAt === undefined)
    throw new ValidationError('Der Landkreis hat kein begonnenes Lernprotokoll.');
  const now = options.now.getTime();
  const historyStart = Math.max(Number(recordStartedAt), now - HISTORY_DAYS * DAY);
  const contentChangedAt = now - CONTENT_CHANGE_DAYS * DAY;
  const random = seededRandom(options.seed);
  const seq = sequences(content);
  const leaves = options.moveTargets ?? options.groups.map((g) => g.orgUnitId);
  const assign = makeAssigner(random, now, [...content.paths.keys()]);
  await db.execute(olderVersionsStatement(content, seq, historyStart));
  const result: AddStaffResult = { users: 0, progressRows: 0, quizAttempts: 0, courseCompletions: 0, pathAssignments: 0, facts: 0, ms: 0 };
  for (const g of options.groups) {
    if (g.staff < 1) continue;
    const offset = result.users;
    const progress = Math.min(1, Math.max(0, g.progress));
    const s = await writeStaff(client, {
      tenantId,
      content,
      seq,
      leaves,
      homeUnit: g.orgUnitId,
      staff: g.staff,
      progressRows: Math.round(g.staff * seq.length * progress),
      share: Math.min(1, Math.max(0, options.completionShare ?? 0.6)),
      batchRows: 5000,
      random,
      now,
      historyStart,
      contentChangedAt,
      passwordHash: options.passwordHash,
      assign,
      emailOf: (i, name) => options.emailOf(offset + i, name),
      nameOf: () => options.nameOf(random),
      jobRoleGrants: options.jobRoleGrants ?? false,
      onProgress: () => {},
      ...(options.tx ? { tx: options.tx } : {}),
    });
    result.users += g.staff;
    result.progressRows += s.progressRows;
    result.quizAttempts += s.quizAttempts;
    result.courseCompletions += s.courseCompletions;
    result.pathAssignments += s.pathAssignments;
    result.facts += s.facts;
  }
  result.ms = Math.round(performance.now() - started);
  return result;
}
