/**
 * Audit chain verification speed: `npx node bench/audit-verify.ts [--entries 1000000] [--export]`
 *
 * Builds one district's chain in a fresh database file — 1,000 format-1 entries followed by format-2 entries, each
 * with a salted personal part, one erasure and a signed checkpoint — with batched multi-row inserts (yielding to the
 * event loop between batches), then times `verifyAuditChain` (streaming, pages of 5,000). With `--export` it also
 * times the export and its offline check. Target (2-core machine): 1 M entries verified in ≤ 10 s.
 * Measured 2026-12-03 (2 shared vCPUs, load 3–4): verify 7.6 s (8.9 s under more load), export 17.2 s (620 MB),
 * offline check 9.8 s.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { openDb } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { trustedKeysOf } from '../src/lib/server/audit/audit-checkpoint.ts';
import { canonicalJson, envelopeHash, newSalt, personalHash, v1Hash } from '../src/lib/server/audit/audit-hash.ts';
import { erasePersonalAudit } from '../src/lib/server/audit/erase-personal-audit.ts';
import { exportAuditLog } from '../src/lib/server/audit/export-audit-log.ts';
import { verifyAuditChain } from '../src/lib/server/audit/verify-audit-chain.ts';
import { verifyAuditExport } from '../src/lib/server/audit/verify-audit-export.ts';
import { writeCheckpoint } from '../src/lib/server/audit/write-checkpoint.ts';
import { loadOrCreateKeyRing } from '../src/lib/server/certificates/signing-keys.ts';
import { ensureTenant } from '../src/lib/server/tenancy/create-tenant.ts';

const { values: flags } = parseArgs({
  options: {
    entries: { type: 'string', default: '1000000' },
    export: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const total = Number(flags.entries);
const V1 = Math.min(1000, total);
const BATCH = 10_000;
const ROWS_PER_STATEMENT = 500;
const TYPES = ['lesson.completed', 'quiz.submitted', 'course.completed', 'certificate.issued', 'user.login'];

const work = mkdtempSync(join(tmpdir(), 'kiko-bench-audit-'));
const { db, client, close } = await openDb({ url: `file:${join(work, 'audit.db')}` });
await runMigrations(db);
const tenant = await ensureTenant(db, { slug: 'bench', name: 'Landkreis Bench' }, []);
const chain = tenant.id;
const ring = loadOrCreateKeyRing({ dir: join(work, 'keys') });

const t0 = performance.now();
let prev = '';
const start = Date.UTC(2026, 0, 1);
for (let from = 1; from <= total; from += BATCH) {
  const to = Math.min(total, from + BATCH - 1);
  const events: (string | number | null)[][] = [];
  const parts: (string | number | null)[][] = [];
  for (let seq = from; seq <= to; seq++) {
    const at = start + seq * 1000;
    const person = `user-${seq % 5000}`;
    const type = TYPES[seq % TYPES.length] as string;
    const data = { courseId: `kurs-${seq % 12}`, version: '2026-10', score: seq % 11, max: 10 };
    if (seq <= V1) {
      const hash = v1Hash(prev, { tenantId: chain, at, actorId: person, type, subjectId: person, data });
      events.push([seq, chain, at, person, type, person, JSON.stringify(data), prev, hash, 1, chain, seq, null]);
      prev = hash;
      continue;
    }
    const salt = newSalt();
    const personalJson = canonicalJson({ actorId: person, subjectId: person });
    const pHash = personalHash(salt, personalJson);
    const hash = envelopeHash({ v: 2, chain, seq, at: new Date(at).toISOString(), type, data, prevHash: prev, personalHash: pHash });
    events.push([seq, chain, at, null, type, null, canonicalJson(data), prev, hash, 2, chain, seq, pHash]);
    parts.push([seq, chain, person, salt, personalJson]);
    prev = hash;
  }
  const stmts = [];
  for (let i = 0; i < events.length; i += ROWS_PER_STATEMENT) {
    const rows = events.slice(i, i + ROWS_PER_STATEMENT);
    stmts.push({
      sql: `INSERT INTO audit_events (seq, tenant_id, at, actor_id, type, subject_id, data, prev_hash, hash, format, chain, chain_seq, personal_hash) VALUES ${rows.map(() => '(?,?,?,?,?,?,?,?,?,?,?,?,?)').join(',')}`,
      args: rows.flat(),
    });
  }
  for (let i = 0; i < parts.length; i += ROWS_PER_STATEMENT) {
    const rows = parts.slice(i, i + ROWS_PER_STATEMENT);
    stmts.push({
      sql: `INSERT INTO audit_personal (seq, chain, person_id, salt, data) VALUES ${rows.map(() => '(?,?,?,?,?)').join(',')}`,
      args: rows.flat(),
    });
  }
  await client.batch(stmts, 'write');
  if (to % 100_000 === 0 || to === total) process.stdout.write(`  erzeugt: ${to.toLocaleString('de-DE')} Einträge\n`);
  await yieldToLoop();
}
await db.transaction((tx) => erasePersonalAudit(tx, { chain, personId: 'user-42', actorId: 'dsb' }));
await writeCheckpoint(db, chain, ring);
const generated = (performance.now() - t0) / 1000;
await client.execute('PRAGMA wal_checkpoint(TRUNCATE)');

const t1 = performance.now();
const r = await verifyAuditChain(db, chain, { trustedKeys: trustedKeysOf(ring) });
const verifySeconds = (performance.now() - t1) / 1000;
console.log(`Erzeugt: ${(total + 1).toLocaleString('de-DE')} Einträge in ${generated.toFixed(1)} s`);
console.log(
  `verifyAuditChain: ${r.entries.toLocaleString('de-DE')} Einträge in ${verifySeconds.toFixed(2)} s (${Math.round(r.entries / verifySeconds).toLocaleString('de-DE')} /s), ok=${r.ok}` +
    ` — Ziel ≤ 10 s für 1 Mio.: ${verifySeconds <= 10 * (total / 1_000_000) ? 'erreicht' : 'verfehlt'}`,
);
if (!r.ok) console.log('  erster Fehler:', r.firstBroken);
if (flags.export) {
  const file = join(work, 'export.jsonl');
  const t2 = performance.now();
  await exportAuditLog(db, chain, file, { ring });
  const exportSeconds = (performance.now() - t2) / 1000;
  const t3 = performance.now();
  const x = await verifyAuditExport(file, { trustedKeys: trustedKeysOf(ring) });
  const offlineSeconds = (performance.now() - t3) / 1000;
  console.log(`exportAuditLog: ${(statSync(file).size / 1e6).toFixed(0)} MB in ${exportSeconds.toFixed(2)} s`);
  console.log(`verifyAuditExport (offline): ${x.entries.toLocaleString('de-DE')} Einträge in ${offlineSeconds.toFixed(2)} s, ok=${x.ok}`);
}
close();
if (flags.keep) console.log(`Datenbank: ${work}`);
else rmSync(work, { recursive: true, force: true });
