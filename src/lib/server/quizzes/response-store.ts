/**
 * Each person's latest answer per authored quiz item, for the item analyses (a cohort's workshop topics, the
 * district's item statistics), from the learning record's `quiz.response` facts.
 *
 * A district's responses run into the hundreds of thousands; handing them to JavaScript row by row costs about two
 * microseconds each on every page view. So each process keeps them per district and database handle in compact
 * columns (person, effective time, answer) per item and reads only the facts appended since (`seq` above the last one
 * read; facts are never changed or deleted, and the record's writes are serialised, so no lower `seq` can appear
 * later). The first read goes in pages, yielding to the event loop between them. Answers are interned per item: the
 * same response with the same score is one object. The latest answer of a person is the one with the latest effective
 * time, then the one recorded last — exactly what reading the facts in that order would give.
 * Internal step of verbs that have authorized the caller and chosen the people within its scope.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { itemKey } from './item-responses.ts';

/** One distinct answer to an item (shared by everyone who gave it). */
export interface StoredAnswer {
  response: Record<string, unknown> | null;
  /** 0–1. */
  score: number;
}

/** The chosen people's latest answers to one authored item. */
export interface ItemAnswers {
  quizId: string;
  itemId: string;
  userIds: string[];
  answers: StoredAnswer[];
}

interface Column {
  quizId: string;
  itemId: string;
  length: number;
  person: Int32Array;
  at: Float64Array;
  answer: Int32Array;
  interned: Map<string, number>;
  distinct: StoredAnswer[];
}

interface District {
  seq: number;
  personIndex: Map<string, number>;
  personIds: string[];
  columns: Map<string, Column>;
  lock: Promise<unknown>;
}

const PAGE = 50_000;
const stores = new WeakMap<Db, Map<string, District>>();

function grow<T extends Int32Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as { new (n: number): T })(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

function add(d: District, r: { user_id: string; quiz: string; item: string; at: number; response: string | null; score: number | null }) {
  let p = d.personIndex.get(r.user_id);
  if (p === undefined) {
    p = d.personIds.length;
    d.personIds.push(r.user_id);
    d.personIndex.set(r.user_id, p);
  }
  const key = itemKey(r.quiz, r.item);
  let c = d.columns.get(key);
  if (!c) {
    c = {
      quizId: r.quiz,
      itemId: r.item,
      length: 0,
      person: new Int32Array(64),
      at: new Float64Array(64),
      answer: new Int32Array(64),
      interned: new Map(),
      distinct: [],
    };
    d.columns.set(key, c);
  }
  const score = Math.max(0, Math.min(1, Number(r.score ?? 0)));
  const k = `${score}\u0000${r.response ?? ''}`;
  let a = c.interned.get(k);
  if (a === undefined) {
    a = c.distinct.length;
    c.distinct.push({ response: r.response ? (JSON.parse(r.response) as Record<string, unknown>) : null, score });
    c.interned.set(k, a);
  }
  c.person = grow(c.person, c.length + 1);
  c.at = grow(c.at, c.length + 1);
  c.answer = grow(c.answer, c.length + 1);
  c.person[c.length] = p;
  c.at[c.length] = r.at;
  c.answer[c.length] = a;
  c.length++;
}

async function catchUp(db: Db, tenantId: string, d: District): Promise<void> {
  for (;;) {
    const rows = await db.all<{
      seq: number;
      user_id: string;
      quiz: string;
      item: string | null;
      at: number;
      response: string | null;
      score: number | null;
    }>(sql`
      SELECT seq, user_id, subject AS quiz, json_extract(data, '$.itemId') AS item, effective_at AS at,
             json_extract(data, '$.response') AS response, json_extract(data, '$.score') AS score
        FROM learning_events
       WHERE tenant_id = ${tenantId} AND type = 'quiz.response' AND seq > ${d.seq}
       ORDER BY seq LIMIT ${PAGE}`);
    for (const r of rows) {
      d.seq = Math.max(d.seq, Number(r.seq));
      if (r.user_id && r.quiz && typeof r.item === 'string' && r.item !== '') add(d, { ...r, item: r.item, at: Number(r.at) });
    }
    if (rows.length < PAGE) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * The latest answer per item of each person in `userIds` (all who answered it when `userIds` is null, the whole
 * district), for every item any of them answered.
 */
export async function latestAnswers(db: Db, tenantId: string, userIds: Iterable<string> | null): Promise<ItemAnswers[]> {
  let store = stores.get(db);
  if (!store) {
    store = new Map();
    stores.set(db, store);
  }
  let district = store.get(tenantId);
  if (!district) {
    district = { seq: 0, personIndex: new Map(), personIds: [], columns: new Map(), lock: Promise.resolve() };
    store.set(tenantId, district);
  }
  const d = district;
  const run = d.lock.then(() => catchUp(db, tenantId, d));
  d.lock = run.catch(() => undefined);
  await run;

  const chosen = new Uint8Array(d.personIds.length);
  if (userIds === null) chosen.fill(1);
  else
    for (const id of userIds) {
      const p = d.personIndex.get(id);
      if (p !== undefined) chosen[p] = 1;
    }
  const best = new Int32Array(d.personIds.length).fill(-1);
  const out: ItemAnswers[] = [];
  for (const c of d.columns.values()) {
    const touched: number[] = [];
    for (let i = 0; i < c.length; i++) {
      const p = c.person[i] as number;
      if (chosen[p] !== 1) continue;
      const b = best[p] as number;
      if (b < 0) touched.push(p);
      // entries are in recording order: a later one with the same effective time wins
      if (b < 0 || (c.at[i] as number) >= (c.at[b] as number)) best[p] = i;
    }
    if (touched.length === 0) continue;
    const item: ItemAnswers = { quizId: c.quizId, itemId: c.itemId, userIds: [], answers: [] };
    for (const p of touched) {
      item.userIds.push(d.personIds[p] as string);
      item.answers.push(c.distinct[c.answer[best[p] as number] as number] as StoredAnswer);
      best[p] = -1;
    }
    out.push(item);
  }
  return out;
}

/** Drops the kept responses of a database handle (the next request reads them again). */
export function forgetStoredResponses(db: Db): void {
  stores.delete(db);
}
