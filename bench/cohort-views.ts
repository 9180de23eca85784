/**
 * `node bench/cohort-views.ts --db FILE [--tenant bench] [--rounds 31]`
 *
 * Times the multiplier's pages over HTTP on a generated district (`kiko demo generate`, 50,000 staff, 200 org units,
 * 1 M progress rows): the dashboard of a cohort of about 5,000 people (a Fachbereich with its sub-units), the person ×
 * course matrix (first page of 50 rows; filtered by status and sorted by progress; a page in the middle) and the item
 * analysis over at least 100,000 quiz responses of the cohort. Baseline of the same run: a lesson page of the same
 * server for a learner. Requests one after another (server time plus loopback), p50/p95 of the rounds after one
 * untimed warm-up request per page; the first (cold) request is reported too.
 *
 * Prepares the district once (idempotent): the tenant's person views switched on, a multiplier leading the cohort
 * (created through KIKO's cohort verbs) and, where the cohort has fewer, `quiz.response` facts for its members
 * written in batches (each person answers each choice item of two quizzes, right with a probability that follows
 * the person's ability, so facility and discrimination have shapes).
 * Targets (multiplier issue): dashboard ≤ 100 ms median, matrix page ≤ 100 ms, item analysis ≤ 200 ms.
 * Needs dist/ (`npm run build`); loopback only.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { and, eq, sql } from 'drizzle-orm';
import { openDb } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { cohortMultiplierTable, cohortTable, orgUnitTable, tenantTable, type UserRole, userTable } from '../db/schema/index.ts';
import { assignMultiplier } from '../src/lib/server/cohorts/cohort-multipliers.ts';
import { createCohort } from '../src/lib/server/cohorts/create-cohort.ts';
import { loadContent } from '../src/lib/server/content/load-content.ts';
import { personContext } from '../src/lib/server/context.ts';
import { type Fact, factInsert } from '../src/lib/server/evidence/record.ts';
import { seededRandom } from '../src/lib/server/quizzes/draw-attempt.ts';
import { createUser } from '../src/lib/server/users/create-user.ts';
import { getAuthUser } from '../src/lib/server/users/get-auth-user.ts';
import type { QuizItem } from '../src/lib/shared/content-schema.ts';
import { createSessions, pickUsers } from './lib/fixtures.ts';
import { buildState, startKiko } from './lib/server.ts';
import { summarize } from './lib/stats.ts';

const { values: flags } = parseArgs({
  options: { db: { type: 'string' }, tenant: { type: 'string', default: 'bench' }, rounds: { type: 'string', default: '31' } },
});
if (!flags.db) throw new Error('--db FILE');
const root = resolve(import.meta.dirname, '..');
if (buildState(root) !== 'ok') {
  console.error('dist/ fehlt oder ist veraltet: erst `npm run build` ausführen.');
  process.exit(1);
}
const log = (line: string): void => console.error(line);
const dbUrl = `file:${resolve(flags.db)}`;
const { db, client, close } = await openDb({ url: dbUrl });
await runMigrations(db);
const content = loadContent({ root });
const [tenant] = await db
  .select()
  .from(tenantTable)
  .where(eq(tenantTable.slug, String(flags.tenant)));
if (!tenant) throw new Error(`no tenant ${flags.tenant}`);
const district = tenant;
const COHORT_NAME = 'Bench-Kohorte (Fachbereich mit Untereinheiten)';
const MULTIPLIER = 'multiplikator-bench@bench.example';

await db
  .update(tenantTable)
  .set({ settings: { ...(tenant.settings as object), multiplierPersonViews: true } })
  .where(eq(tenantTable.id, tenant.id));

/** A person of the district by e-mail, created with these roles if missing. */
async function person(email: string, name: string, roles: UserRole[]) {
  const [row] = await db
    .select({ id: userTable.id })
    .from(userTable)
    .where(and(eq(userTable.tenantId, district.id), eq(userTable.email, email)));
  const id = row?.id ?? (await createUser(db, { tenant: district.slug, email, name, roles, password: 'kiko-bench-1234-xyz' })).id;
  const user = await getAuthUser(db, id);
  if (!user) throw new Error(email);
  return user;
}
const admin = await person('admin-cohort-bench@bench.example', 'Admin Bench', ['admin']);
const multiplier = await person(MULTIPLIER, 'Multiplikatorin Bench', ['multiplier']);

// the cohort: the Fachbereich (child of the top unit) with the most people in its subtree, as a district would cut it
let [cohort] = await db
  .select()
  .from(cohortTable)
  .where(and(eq(cohortTable.tenantId, tenant.id), eq(cohortTable.name, COHORT_NAME)));
if (!cohort) {
  const [unit] = await db.all<{ id: string; n: number }>(sql`
    WITH RECURSIVE t(id, top) AS (
      SELECT id, id FROM ${orgUnitTable}
       WHERE parent_id = (SELECT id FROM ${orgUnitTable} WHERE tenant_id = ${tenant.id} AND parent_id IS NULL)
      UNION ALL SELECT o.id, t.top FROM ${orgUnitTable} o JOIN t ON o.parent_id = t.id)
    SELECT t.top AS id, count(u.id) AS n FROM t LEFT JOIN ${userTable} u ON u.org_unit_id = t.id
    GROUP BY t.top ORDER BY abs(count(u.id) - 5000) LIMIT 1`);
  if (!unit) throw new Error('no org unit');
  const adminCtx = personContext(db, admin, content);
  const { id } = await createCohort(adminCtx, { name: COHORT_NAME, orgUnits: [{ orgUnitId: unit.id, includeSubunits: true }] });
  await assignMultiplier(adminCtx, { cohortId: id, email: MULTIPLIER });
  [cohort] = await db.select().from(cohortTable).where(eq(cohortTable.id, id));
}
if (!cohort) throw new Error('cohort');
const leads = await db
  .select()
  .from(cohortMultiplierTable)
  .where(and(eq(cohortMultiplierTable.cohortId, cohort.id), eq(cohortMultiplierTable.userId, multiplier.id)));
if (leads.length === 0) throw new Error('multiplier does not lead the cohort');

// members: the people of the cohort's units (the rule the cohort module computes)
const members = await db.all<{ id: string }>(sql`
  WITH RECURSIVE t(id) AS (
    SELECT org_unit_id FROM cohort_rules WHERE cohort_id = ${cohort.id} AND org_unit_id IS NOT NULL
    UNION ALL SELECT o.id FROM ${orgUnitTable} o JOIN t ON o.parent_id = t.id)
  SELECT u.id FROM ${userTable} u WHERE u.org_unit_id IN (SELECT id FROM t) AND u.status = 'active' ORDER BY u.id`);
const memberIds = members.map((m) => m.id);
const responsesOf = async (): Promise<number> =>
  Number(
    (
      await db.all<{ n: number }>(sql`
        SELECT count(*) AS n FROM learning_events
         WHERE tenant_id = ${tenant.id} AND type = 'quiz.response'
           AND user_id IN (SELECT value FROM json_each(${JSON.stringify(memberIds)}))`)
    )[0]?.n ?? 0,
  );

/** A response to a choice item, right with probability `p`, and its score. */
function answer(item: QuizItem, p: number, random: () => number): { response: Record<string, unknown>; score: number } | null {
  const right = random() < p;
  if (item.type === 'truefalse') return { response: { value: right ? item.answer : !item.answer }, score: right ? 1 : 0 };
  if (item.type === 'single' || item.type === 'scenario') {
    const pool = item.options.filter((o) => Boolean(o.correct) === right);
    const o = pool[Math.floor(random() * pool.length)] ?? item.options[0];
    return o ? { response: { optionId: o.id }, score: o.correct ? 1 : 0 } : null;
  }
  if (item.type === 'multiple') {
    const ids = item.options.filter((o) => (right ? o.correct : random() < 0.5)).map((o) => o.id);
    const exact = item.options.every((o) => Boolean(o.correct) === ids.includes(o.id));
    return { response: { optionIds: ids.length ? ids : [item.options[0]?.id] }, score: exact ? 1 : 0 };
  }
  return null;
}

let responses = await responsesOf();
if (responses < 100_000) {
  log(`writing quiz responses for ${memberIds.length} members (now ${responses}) …`);
  const quizzes = [...content.quizzes.entries()];
  const random = seededRandom('cohort-views-bench');
  const at = new Date(Date.now() - 30 * 86_400_000);
  let batch: Fact[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await db.transaction(async (tx) => {
      for (let i = 0; i < batch.length; i += 500) await factInsert(tx, batch.slice(i, i + 500));
    });
    batch = [];
    await new Promise((r) => setImmediate(r));
  };
  for (const userId of memberIds) {
    const ability = 0.35 + 0.6 * random();
    for (let k = 0; k < 2; k++) {
      const [quizId, loaded] = quizzes[Math.floor(random() * quizzes.length)] as (typeof quizzes)[number];
      const ref = `bench-attempt-${userId}-${quizId}`;
      for (const item of loaded.quiz.items) {
        const a = answer(item, ability, random);
        if (!a) continue;
        batch.push({
          tenantId: tenant.id,
          type: 'quiz.response',
          userId,
          subject: quizId,
          ref,
          version: loaded.version,
          data: { itemId: item.id, response: a.response, score: a.score },
          effectiveAt: at,
          actorId: userId,
          idemKey: `response:${ref}:${item.id}`,
        });
      }
    }
    if (batch.length >= 5_000) await flush();
  }
  await flush();
  responses = await responsesOf();
}
log(`cohort: ${memberIds.length} members, ${responses} quiz responses`);

const [learner] = await pickUsers(client, tenant.slug, 0, 1);
if (!learner) throw new Error('no learner');
const [learnerCookie, multiplierCookie] = await createSessions(db, [
  learner,
  { id: multiplier.id, email: multiplier.email, tenantId: tenant.id, jobRole: multiplier.jobRole, orgUnitId: null },
]);
close();

const course = [...content.courses.values()][0];
const lesson = course?.lessons[0];
if (!course || !lesson) throw new Error('no lesson');
const base = `/multiplikator/kohorte/${cohort.id}`;
const pages: Array<{ label: string; path: string; cookie: string }> = [
  { label: 'baseline: lesson page (learner)', path: `/kurse/${course.course.id}/${lesson.id}`, cookie: String(learnerCookie) },
  { label: `dashboard, cohort of ${memberIds.length.toLocaleString('en')}`, path: base, cookie: String(multiplierCookie) },
  { label: 'matrix, first page of 50', path: `${base}/personen`, cookie: String(multiplierCookie) },
  {
    label: 'matrix, status "überfällig", sorted by progress',
    path: `${base}/personen?status=overdue&sortierung=fortschritt&richtung=ab`,
    cookie: String(multiplierCookie),
  },
  { label: 'matrix, page 50', path: `${base}/personen?seite=50`, cookie: String(multiplierCookie) },
  { label: `item analysis, ${responses.toLocaleString('en')} responses`, path: `${base}/fragen`, cookie: String(multiplierCookie) },
];

const work = mkdtempSync(join(tmpdir(), 'kiko-bench-cohort-'));
const server = await startKiko({ root, dbUrl, keyDir: join(work, 'keys'), timeoutMs: 120_000 });
try {
  const url = (p: string) => `http://127.0.0.1:${server.port}${p}`;
  const fetchOnce = async (p: { path: string; cookie: string }): Promise<number> => {
    const t0 = performance.now();
    const res = await fetch(url(p.path), { headers: { cookie: p.cookie }, redirect: 'manual' });
    const body = await res.text();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`${p.path}: HTTP ${res.status}\n${body.slice(0, 500)}`);
    return ms;
  };
  const rounds = Number(flags.rounds);
  const rows: Array<{ label: string; coldMs: number; p50: number; p95: number }> = [];
  for (const p of pages) {
    const coldMs = await fetchOnce(p);
    const ms: number[] = [];
    for (let i = 0; i < rounds; i++) ms.push(await fetchOnce(p));
    const s = summarize(ms);
    rows.push({ label: p.label, coldMs: Math.round(coldMs), p50: Math.round(s.p50), p95: Math.round(s.p95) });
    log(`${p.label}: p50 ${Math.round(s.p50)} ms`);
  }
  const baseline = rows[0]?.p50 || 1;
  console.log('| page | first request ms | p50 ms | p95 ms | p50 × lesson page |\n|---|--:|--:|--:|--:|');
  for (const r of rows) console.log(`| ${r.label} | ${r.coldMs} | ${r.p50} | ${r.p95} | ${(r.p50 / baseline).toFixed(2)} |`);
} finally {
  await server.stop();
}
