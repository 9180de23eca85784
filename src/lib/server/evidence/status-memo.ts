/**
 * Stored results of the one status rule, kept exact (docs/decisions/021-stored-status.md).
 *
 * Computing the status of a whole district reads every person's facts (50,000 staff: about a second). HR's overview,
 * the cohort dashboards and the reminder lists ask for the same figures again and again, so each process keeps the
 * last results per district, cohort and time, and brings them up to date instead of computing them again:
 *
 * - facts recorded since (a higher `seq`; facts are never changed or deleted) → those people are computed again;
 * - facts already in the record that become visible later (recorded after R, for "now" also effective after T; every
 *   fact is recorded no earlier than it takes effect) → noted per person at computation, computed again when R
 *   reaches them;
 * - for "now" (T = R, moving on): a due date or refresher window that T passes → that person is computed again
 *   (nextStatusChange);
 * - a fact without a person (a path for an org unit), another org tree, other path rules or other content → everything
 *   is computed again.
 *
 * So a stored result answers exactly what a fresh computation would (a test compares both after every kind of
 * change). Results are per process and per database handle; several processes each keep their own and read what
 * the others wrote from the record. Only big requests are stored (a district, or a cohort of 500 people or more).
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import type { ContentSet } from '../content/load-content.ts';
import type { PathRules } from './course-status.ts';
import type { PersonStatus } from './status-as-of.ts';

export const storedStatusSettings = {
  /** Requests for fewer people are computed directly (one person's page, a small cohort). */
  minPeople: 500,
  /** Stored results per database handle (least recently used ones go first). */
  maxEntries: 8,
};
/** How often results were computed in full and brought up to date (diagnostics, tests and benches). */
export const storedStatusStats = { computed: 0, updated: 0, peopleUpdated: 0 };
/** More people to compute again than this share of the result: computing everything is as fast. */
const REFRESH_SHARE = 0.25;

/** What a computation reads besides the facts: the org tree and the path rules valid at T. */
export interface StatusInputs {
  units: { id: string; parentId: string | null }[];
  rules: Map<string, PathRules>;
}

/** A computation's result (all people of the request, unfiltered by scope) and what keeps it exact. */
export interface StatusResult {
  people: PersonStatus[];
  /** For "now": per person the next instant the status changes by itself. */
  next: Map<string, number>;
  /** Per person the earliest time a fact already recorded becomes visible. */
  pending: Map<string, number>;
  /** The same for facts without a person (org-unit assignments). */
  districtPending: number;
  pathVersions: Record<string, string | null>;
}

export interface StatusRequest {
  db: Db;
  content: ContentSet;
  tenantId: string;
  T: number;
  R: number;
  /** From the projections (status now) rather than the record. */
  current: boolean;
  /** The figures of now (T = R): kept while time moves on. Otherwise T is fixed and only R moves. */
  moving: boolean;
  userIds?: readonly string[];
  inputs: (T: number) => Promise<StatusInputs>;
  compute: (userIds: readonly string[] | undefined, inputs: StatusInputs) => Promise<StatusResult>;
}

interface Entry {
  content: ContentSet;
  T: number;
  R: number;
  /** Highest fact `seq` (all districts) before the data was read. */
  seq: number;
  unitsKey: string;
  rulesKey: string;
  people: Map<string, PersonStatus>;
  next: Map<string, number>;
  pending: Map<string, number>;
  districtPending: number;
  pathVersions: Record<string, string | null>;
  /** Only these people (a cohort), or everyone of the district. */
  only: ReadonlySet<string> | null;
  /** Updates of one entry run one after the other. */
  lock: Promise<unknown>;
}

const stores = new WeakMap<Db, Map<string, Entry>>();

const unitsKeyOf = (units: StatusInputs['units']): string =>
  units
    .map((u) => `${u.id}>${u.parentId ?? ''}`)
    .sort()
    .join('|');
const rulesKeyOf = (rules: StatusInputs['rules']): string => JSON.stringify([...rules.values()].sort((a, b) => a.id.localeCompare(b.id)));

async function lastSeq(db: Db): Promise<number> {
  const [row] = await db.all<{ seq: number | null }>(sql`SELECT max(seq) AS seq FROM learning_events`);
  return Number(row?.seq ?? 0);
}

/** The status of the request's people, from a stored result brought up to date where there is one. */
export async function memoizedStatus(req: StatusRequest): Promise<{ people: PersonStatus[]; pathVersions: Record<string, string | null> }> {
  const size = req.userIds?.length;
  if (size !== undefined && size < storedStatusSettings.minPeople) {
    const r = await req.compute(req.userIds, await req.inputs(req.T));
    return { people: r.people, pathVersions: r.pathVersions };
  }
  let store = stores.get(req.db);
  if (!store) {
    store = new Map();
    stores.set(req.db, store);
  }
  const key = [req.tenantId, req.current ? 'current' : 'record', req.moving ? 'now' : `T${req.T}`, req.userIds?.join(',') ?? '*'].join('|');
  const entry = store.get(key);
  if (!entry || entry.content !== req.content || req.R < entry.R || req.T < entry.T) {
    const fresh = await computeEntry(req);
    store.delete(key);
    store.set(key, fresh);
    while (store.size > storedStatusSettings.maxEntries) store.delete(store.keys().next().value as string);
    return { people: [...fresh.people.values()], pathVersions: fresh.pathVersions };
  }
  store.delete(key);
  store.set(key, entry);
  const run = entry.lock.then(() => refresh(req, entry));
  entry.lock = run.catch(() => undefined);
  const out = await run;
  if (out === 'recompute') {
    const fresh = await computeEntry(req);
    store.set(key, fresh);
    return { people: [...fresh.people.values()], pathVersions: fresh.pathVersions };
  }
  return { people: [...entry.people.values()], pathVersions: entry.pathVersions };
}

/** Drops the stored results of a database handle (the next request computes them again). */
export function forgetStoredStatus(db: Db): void {
  stores.delete(db);
}

async function computeEntry(req: StatusRequest): Promise<Entry> {
  storedStatusStats.computed++;
  // the sequence number first: a fact committed while the data is read is taken up again next time
  const seq = await lastSeq(req.db);
  const inputs = await req.inputs(req.T);
  const r = await req.compute(req.userIds, inputs);
  return {
    content: req.content,
    T: req.T,
    R: req.R,
    seq,
    unitsKey: unitsKeyOf(inputs.units),
    rulesKey: rulesKeyOf(inputs.rules),
    people: new Map(r.people.map((p) => [p.userId, p])),
    next: r.next,
    pending: r.pending,
    districtPending: r.districtPending,
    pathVersions: r.pathVersions,
    only: req.userIds ? new Set(req.userIds) : null,
    lock: Promise.resolve(),
  };
}

/** Brings a stored result to the request's T and R, or says that only a new computation can. */
async function refresh(req: StatusRequest, e: Entry): Promise<'recompute' | 'ok'> {
  if (req.T < e.T || req.R < e.R) return 'recompute';
  const seq = await lastSeq(req.db);
  const [changed, inputs] = await Promise.all([
    req.db.all<{ userId: string | null }>(
      // the unary + keeps SQLite on the seq range instead of the district's index
      sql`SELECT DISTINCT user_id AS userId FROM learning_events WHERE seq > ${e.seq} AND +tenant_id = ${req.tenantId}`,
    ),
    req.inputs(req.T),
  ]);
  if (changed.some((c) => c.userId === null)) return 'recompute';
  if (e.districtPending <= req.R) return 'recompute';
  if (unitsKeyOf(inputs.units) !== e.unitsKey || rulesKeyOf(inputs.rules) !== e.rulesKey) return 'recompute';
  const again = new Set<string>();
  for (const c of changed) if (c.userId && (!e.only || e.only.has(c.userId))) again.add(c.userId);
  for (const [user, at] of e.pending) if (at <= req.R) again.add(user);
  if (req.moving) for (const [user, at] of e.next) if (at <= req.T) again.add(user);
  if (again.size > Math.max(50, e.people.size * REFRESH_SHARE)) return 'recompute';
  storedStatusStats.updated++;
  if (again.size > 0) {
    storedStatusStats.peopleUpdated += again.size;
    const ids = [...again];
    const r = await req.compute(ids, inputs);
    for (const id of ids) {
      e.next.delete(id);
      e.pending.delete(id);
    }
    for (const p of r.people) e.people.set(p.userId, p);
    for (const [id, at] of r.next) e.next.set(id, at);
    for (const [id, at] of r.pending) e.pending.set(id, at);
    if (r.districtPending < e.districtPending) e.districtPending = r.districtPending;
  }
  e.T = req.T;
  e.R = req.R;
  e.seq = seq;
  return 'ok';
}
