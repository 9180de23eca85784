/**
 * Everyone's membership (org unit, job role, account status) as of a past time T, from the learning record's
 * `membership.changed` facts: per person the latest fact effective by T (by effective time, then recording order).
 *
 * Reading all of a district's membership facts for every past cohort figure costs a row lookup per fact (50,000 staff:
 * about a third of a second), so each process keeps them per district and database handle and reads only the facts
 * appended since (`seq` above the last one read; facts are never changed or deleted, and the record's writes are
 * serialised, so no lower `seq` can appear later). The answer is exactly what reading everything would give.
 * Internal step of verbs that have authorized the district.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';

export interface MembershipThen {
  userId: string;
  orgUnitId: string | null;
  jobRole: string;
  status: string;
}

interface Stored {
  /** Highest `seq` of the district's membership facts read. */
  seq: number;
  /** Facts in the order read (seq ascending). */
  facts: Array<MembershipThen & { at: number; seq: number }>;
  /** Reads run one after the other. */
  lock: Promise<unknown>;
  /** The last answer, for the same time and facts. */
  last?: { T: number; seq: number; result: MembershipThen[] };
}

const stores = new WeakMap<Db, Map<string, Stored>>();

async function catchUp(db: Db, tenantId: string, stored: Stored): Promise<void> {
  // the type index holds seq (the rowid): only the new facts' rows are read
  const rows = await db.all<{
    seq: number;
    user_id: string;
    at: number;
    org_unit_id: string | null;
    job_role: string | null;
    status: string | null;
  }>(sql`
    SELECT seq, user_id, effective_at AS at, json_extract(data, '$.orgUnitId') AS org_unit_id,
           json_extract(data, '$.jobRole') AS job_role, json_extract(data, '$.status') AS status
      FROM learning_events
     WHERE tenant_id = ${tenantId} AND type = 'membership.changed' AND seq > ${stored.seq}
     ORDER BY seq`);
  for (const r of rows) {
    stored.facts.push({
      seq: Number(r.seq),
      userId: r.user_id,
      at: Number(r.at),
      orgUnitId: r.org_unit_id ?? null,
      jobRole: r.job_role ?? '',
      status: r.status ?? '',
    });
    stored.seq = Math.max(stored.seq, Number(r.seq));
  }
}

/** Each person's membership as of `at` (people without a fact effective by then are absent). */
export async function membershipsAsOf(db: Db, tenantId: string, at: Date): Promise<readonly MembershipThen[]> {
  let store = stores.get(db);
  if (!store) {
    store = new Map();
    stores.set(db, store);
  }
  let stored = store.get(tenantId);
  if (!stored) {
    stored = { seq: 0, facts: [], lock: Promise.resolve() };
    store.set(tenantId, stored);
  }
  const s = stored;
  const run = s.lock.then(() => catchUp(db, tenantId, s));
  s.lock = run.catch(() => undefined);
  await run;
  const T = at.getTime();
  // the same time again with no new facts (the dashboard and its cascade, the next view the same day): the same answer
  if (s.last && s.last.T === T && s.last.seq === s.seq) return s.last.result;
  const latest = new Map<string, MembershipThen & { at: number; seq: number }>();
  for (const f of s.facts) {
    if (f.at > T) continue;
    const prev = latest.get(f.userId);
    if (!prev || f.at > prev.at || (f.at === prev.at && f.seq > prev.seq)) latest.set(f.userId, f);
  }
  const result = [...latest.values()].map(({ userId, orgUnitId, jobRole, status }) => ({ userId, orgUnitId, jobRole, status }));
  s.last = { T, seq: s.seq, result };
  return result;
}
