/**
 * One step of the demo seed (history, cohorts, sessions, learning) commits as a whole: the verbs it calls run inside
 * one write transaction (their own transactions become savepoints of it, a verb's batch runs its statements in order
 * inside it). A start killed during seeding leaves the step either complete or not begun, so the next start's check
 * "is this step's data there?" is exact and the step is written in full then.
 */
import type { Db } from '../../../../db/client.ts';
import type { Tx } from '../evidence/record.ts';

type Batch = Db['batch'];

export async function inOneTransaction<T>(db: Db, step: (db: Db) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const batch = (async (queries: readonly PromiseLike<unknown>[]) => {
      const results: unknown[] = [];
      for (const q of queries) results.push(await q);
      return results;
    }) as unknown as Batch;
    const inner = Object.assign(Object.create(tx) as Tx, { batch }) as unknown as Db;
    return step(inner);
  });
}
