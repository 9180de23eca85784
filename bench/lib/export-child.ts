/**
 * One measurement of bench/evidence-export.ts in a fresh process:
 * `node bench/lib/export-child.ts --db FILE --mode MODE --hr ID --out FILE [--unit ID]`, MODE one of baseline (the
 * status of all staff, no file), months (the server job coverage-months) or an export format. It runs in a worker
 * thread with the young generation `kiko evidence export` gives its work (bin/batch-thread.mjs); the main thread
 * loads nothing else, so the peak RSS it prints (process.resourceUsage().maxRSS) is what the command would need.
 * Prints one JSON line: ms, startRssMb (the RSS before the work began: Node, content, database client), maxRssMb,
 * people, size.
 */
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { BATCH_YOUNG_GENERATION_MB } from '../../bin/batch-thread.mjs';

if (isMainThread) {
  const worker = new Worker(new URL(import.meta.url), {
    argv: process.argv.slice(2),
    resourceLimits: { maxYoungGenerationSizeMb: BATCH_YOUNG_GENERATION_MB },
  });
  const [res] = await once(worker, 'message');
  await once(worker, 'exit');
  process.stdout.write(`${JSON.stringify({ ...res, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
} else {
  const { values: flags } = parseArgs({
    options: {
      db: { type: 'string' },
      mode: { type: 'string' },
      hr: { type: 'string' },
      unit: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const [
    { openDb },
    { loadContent },
    { personContext },
    { getStatusAsOf },
    { storeMissingMonths },
    { exportEvidenceFile },
    { getAuthUser },
  ] = await Promise.all([
    import('../../db/client.ts'),
    import('../../src/lib/server/content/load-content.ts'),
    import('../../src/lib/server/context.ts'),
    import('../../src/lib/server/evidence/status-as-of.ts'),
    import('../../src/lib/server/hr/coverage-trend.ts'),
    import('../../src/lib/server/hr/export-evidence-file.ts'),
    import('../../src/lib/server/users/get-auth-user.ts'),
  ]);
  const { db, close } = await openDb({ url: `file:${flags.db}` });
  const content = loadContent({ root: process.cwd() });
  const hr = await getAuthUser(db, String(flags.hr));
  if (!hr) throw new Error('hr user');
  const ctx = personContext(db, hr, content);
  // what the process holds before the work (Node, content, database client): the work's own share is the rest
  const startRssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
  const t0 = performance.now();
  let people = 0;
  let size = 0;
  if (flags.mode === 'baseline') {
    const s = await getStatusAsOf(ctx, { asOf: new Date(), recordedBy: new Date() });
    people = s.people.length;
  } else if (flags.mode === 'months') {
    // what the server job coverage-months does for this district once a month: the missing past month ends
    people = (await storeMissingMonths(ctx)).length;
  } else {
    const now = new Date();
    const r = await exportEvidenceFile(ctx, {
      format: flags.mode as Parameters<typeof exportEvidenceFile>[1]['format'],
      asOf: now,
      recordedBy: now,
      orgUnitId: flags.unit || null,
      out: String(flags.out),
    });
    people = r.people;
    size = r.size;
  }
  const ms = performance.now() - t0;
  close();
  parentPort?.postMessage({ ms: Math.round(ms), startRssMb, people, size });
}
