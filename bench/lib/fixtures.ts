/**
 * What the scenarios need besides generated data: sessions for virtual learners (created directly in the database
 * with the same verb the login uses, so thousands of users need no argon2 login), open quiz attempts (rows as
 * `startAttempt` makes them), and valid answer forms for each drawn item.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Client } from '@libsql/client';
import type { Db } from '../../db/client.ts';
import { quizAttemptTable } from '../../db/schema/index.ts';
import { SESSION_COOKIE } from '../../src/lib/server/auth/session-cookie.ts';
import { createSession } from '../../src/lib/server/auth/sessions.ts';
import type { ContentSet } from '../../src/lib/server/content/load-content.ts';
import { type AttemptLayout, drawAttempt, seededRandom } from '../../src/lib/server/quizzes/draw-attempt.ts';
import { type PublicItem, toPublicItem } from '../../src/lib/server/quizzes/public-item.ts';
import { requireCourseQuiz } from '../../src/lib/server/quizzes/quiz-attempts.ts';

export interface BenchUser {
  id: string;
  email: string;
  tenantId: string;
  jobRole: string;
  orgUnitId: string | null;
}

/** Users of a tenant in login order (person-000001, …), skipping `offset`. */
export async function pickUsers(client: Client, tenantSlug: string, offset: number, count: number): Promise<BenchUser[]> {
  const r = await client.execute({
    sql: `SELECT u.id, u.email, u.tenant_id, u.job_role, u.org_unit_id FROM users u JOIN tenants t ON t.id = u.tenant_id
          WHERE t.slug = ? AND u.status = 'active' ORDER BY u.email LIMIT ? OFFSET ?`,
    args: [tenantSlug, count, offset],
  });
  return r.rows.map((row) => ({
    id: String(row.id),
    email: String(row.email),
    tenantId: String(row.tenant_id),
    jobRole: String(row.job_role),
    orgUnitId: row.org_unit_id === null ? null : String(row.org_unit_id),
  }));
}

/** One session per user; returns the Cookie header value for each, in the same order. */
export async function createSessions(db: Db, users: readonly BenchUser[]): Promise<string[]> {
  const cookies: string[] = [];
  for (let i = 0; i < users.length; i += 500) {
    const part = users.slice(i, i + 500);
    await db.transaction(async (tx) => {
      for (const u of part) {
        const { token } = await createSession(tx as unknown as Db, u.id);
        cookies.push(`${SESSION_COOKIE}=${token}`);
      }
    });
    await new Promise((r) => setImmediate(r));
  }
  return cookies;
}

export interface OpenAttempt {
  attemptId: string;
  userIndex: number;
  layout: AttemptLayout;
}

/**
 * One open attempt at the course's quiz per user, built exactly as `startAttempt` builds it (random seed, layout drawn
 * from it, time limit) and inserted in batches: calling the verb 7,000 times would only measure its allowance query.
 */
export async function openAttempts(
  db: Db,
  content: ContentSet,
  users: readonly BenchUser[],
  courseId: string,
  now = new Date(),
): Promise<OpenAttempt[]> {
  const loaded = requireCourseQuiz(content, courseId);
  const out: OpenAttempt[] = [];
  for (let i = 0; i < users.length; i += 400) {
    const rows = users.slice(i, i + 400).map((u) => {
      const seed = randomBytes(16).toString('hex');
      const layout = drawAttempt(loaded.quiz, seededRandom(seed));
      return {
        id: randomUUID(),
        tenantId: u.tenantId,
        userId: u.id,
        quizId: loaded.quiz.id,
        courseId,
        quizVersion: loaded.version,
        seed,
        layout,
        status: 'open' as const,
        startedAt: now,
        expiresAt: new Date(now.getTime() + loaded.quiz.timeLimitMinutes * 60_000),
      };
    });
    await db.insert(quizAttemptTable).values(rows);
    for (const [k, r] of rows.entries()) out.push({ attemptId: r.id, userIndex: i + k, layout: r.layout });
    await new Promise((r) => setImmediate(r));
  }
  return out;
}

/** Form fields of a valid (not necessarily correct) answer to a public item, as the HTML form would send them. */
export function answerFields(item: PublicItem, random: () => number): Array<[string, string]> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const permutation = (n: number): number[] => {
    const a = Array.from({ length: n }, (_, i) => i + 1);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [a[i], a[j]] = [a[j] as number, a[i] as number];
    }
    return a;
  };
  switch (item.type) {
    case 'single':
    case 'scenario':
    case 'multiple':
      return [['antwort', pick(item.options).id]];
    case 'truefalse':
      return [['antwort', pick(['wahr', 'falsch'])]];
    case 'ordering': {
      const pos = permutation(item.steps.length);
      return item.steps.map((s, i) => [`pos-${s.id}`, String(pos[i])]);
    }
    case 'matching': {
      const perm = permutation(item.rights.length);
      return item.lefts.map((l, i) => [`paar-${l.id}`, item.rights[(perm[i] as number) - 1]?.id ?? '']);
    }
  }
}

export interface AnswerRequest {
  attemptId: string;
  itemId: string;
  userIndex: number;
  path: string;
  body: string;
}

/**
 * One answer request per drawn item of every attempt, item-major (all first items, then all second items …), so
 * that requests running at the same time belong to different attempts, as they would in a real course.
 */
export function answerRequests(
  content: ContentSet,
  attempts: readonly OpenAttempt[],
  courseId: string,
  random: () => number,
): AnswerRequest[] {
  const quizId = content.courses.get(courseId)?.course.quiz;
  const quiz = quizId ? content.quizzes.get(quizId)?.quiz : undefined;
  if (!quiz) throw new Error(`Kurs ${courseId} hat kein Quiz`);
  const byAttempt = attempts.map((a) =>
    a.layout.itemIds.map((itemId) => {
      const item = quiz.items.find((i) => i.id === itemId);
      if (!item) throw new Error(`Frage ${itemId} fehlt im Quiz ${quiz.id}`);
      const form = new URLSearchParams([
        ['attemptId', a.attemptId],
        ['itemId', itemId],
        ...answerFields(toPublicItem(item, a.layout), random),
      ]);
      return {
        attemptId: a.attemptId,
        itemId,
        userIndex: a.userIndex,
        path: `/kurse/${courseId}/quiz/${a.attemptId}?_action=answerQuizItem`,
        body: form.toString(),
      };
    }),
  );
  const out: AnswerRequest[] = [];
  const longest = Math.max(0, ...byAttempt.map((x) => x.length));
  for (let k = 0; k < longest; k++) for (const list of byAttempt) if (list[k]) out.push(list[k] as AnswerRequest);
  return out;
}

/** How many items were drawn, in total, for the attempts named in the acknowledged answers (from their stored layout). */
export async function drawnItems(client: Client, acknowledged: ReadonlyArray<readonly [string, string]>): Promise<number> {
  const ids = [...new Set(acknowledged.map(([a]) => a))];
  const r = await client.execute({
    sql: `SELECT coalesce(sum(json_array_length(layout, '$.itemIds')), 0) AS n FROM quiz_attempts
          WHERE id IN (SELECT value FROM json_each(?))`,
    args: [JSON.stringify(ids)],
  });
  return Number(r.rows[0]?.n ?? 0);
}

/** Which of the acknowledged (attempt, item) answers are not in quiz_responses. */
export async function missingResponses(
  client: Client,
  acknowledged: ReadonlyArray<readonly [string, string]>,
): Promise<Array<[string, string]>> {
  const byAttempt = new Map<string, string[]>();
  for (const [a, i] of acknowledged) byAttempt.set(a, [...(byAttempt.get(a) ?? []), i]);
  const missing: Array<[string, string]> = [];
  const ids = [...byAttempt.keys()];
  for (let k = 0; k < ids.length; k += 500) {
    const part = ids.slice(k, k + 500);
    const r = await client.execute({
      sql: `SELECT attempt_id, item_id FROM quiz_responses WHERE attempt_id IN (SELECT value FROM json_each(?))`,
      args: [JSON.stringify(part)],
    });
    const stored = new Set(r.rows.map((row) => `${row.attempt_id} ${row.item_id}`));
    for (const a of part) for (const i of byAttempt.get(a) ?? []) if (!stored.has(`${a} ${i}`)) missing.push([a, i]);
  }
  return missing;
}
