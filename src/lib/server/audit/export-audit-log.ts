/**
 * Exports one audit chain as a JSON Lines file (format: audit-export-format.ts) for auditors: a fresh signed
 * checkpoint is written first, then every entry with its envelope and, where present, its personal part. The file is
 * written to a temporary name next to `out` and renamed only when complete, so a reader never sees half an export.
 */
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Client, Row } from '@libsql/client';
import type { Db } from '../../../../db/client.ts';
import { certificateConfig } from '../certificates/certificate-config.ts';
import type { KeyRing } from '../certificates/signing-keys.ts';
import { auditKeyRing, resolveAuditChain } from './audit-chain-ref.ts';
import { type AuditCheckpoint, keyIdOf, rawPublicKey } from './audit-checkpoint.ts';
import { EXPORT_KIND, EXPORT_VERSION, type ExportHeader } from './audit-export-format.ts';
import { envelopeCanonicalFromText } from './audit-hash.ts';
import { listCheckpoints, writeCheckpoint } from './write-checkpoint.ts';

export interface ExportAuditOptions {
  /** Key ring of the chain (signs the fresh checkpoint; its public keys go into the header); default: the chain's ring in KIKO_KEY_DIR. */
  ring?: KeyRing;
  /** Entries per page read from the database (default 5,000). */
  pageSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface ExportAuditResult {
  file: string;
  entries: number;
  checkpoint: AuditCheckpoint;
}

const PAGE_SQL = `SELECT e.chain_seq, e.format, e.tenant_id, e.at, e.actor_id, e.type, e.subject_id, e.data, e.prev_hash, e.hash,
  e.personal_hash, p.salt, p.data, p.erased_by
  FROM audit_events e LEFT JOIN audit_personal p ON p.seq = e.seq
  WHERE e.chain = ? AND e.chain_seq > ? ORDER BY e.chain_seq LIMIT ?`;

const nullable = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** One entry line (without newline) from a page row. */
function entryLine(r: Row, chain: string): string {
  const seq = Number(r[0]);
  const at = Number(r[3]);
  const dataJson = String(r[7]);
  if (Number(r[1]) === 1) {
    return JSON.stringify({
      t: 'entry',
      format: 1,
      seq,
      tenantId: nullable(r[2]),
      at,
      actorId: nullable(r[4]),
      type: String(r[5]),
      subjectId: nullable(r[6]),
      data: JSON.parse(dataJson),
      prevHash: String(r[8]),
      hash: String(r[9]),
    });
  }
  const envelope = envelopeCanonicalFromText({
    v: 2,
    chain,
    seq,
    at: new Date(at).toISOString(),
    type: String(r[5]),
    dataJson,
    prevHash: String(r[8]),
    personalHash: nullable(r[10]),
  });
  const personal =
    r[11] === null || r[11] === undefined
      ? 'null'
      : `{"salt":${JSON.stringify(String(r[11]))},"data":${r[12] === null ? 'null' : String(r[12])},"erasedBy":${r[13] === null ? 'null' : Number(r[13])}}`;
  return `{"t":"entry","format":2,"hash":${JSON.stringify(String(r[9]))},"envelope":${envelope},"personal":${personal}}`;
}

/** Exports the chain of `tenantSlugOrChain` (tenant slug or id, "" = platform) to `out`. */
export async function exportAuditLog(
  db: Db,
  tenantSlugOrChain: string,
  out: string,
  opts: ExportAuditOptions = {},
): Promise<ExportAuditResult> {
  const ref = await resolveAuditChain(db, tenantSlugOrChain);
  const ring = opts.ring ?? (auditKeyRing(certificateConfig().keyDir, ref, { create: true }) as KeyRing);
  const fresh = await writeCheckpoint(db, ref.chain, ring);
  const checkpoints = await listCheckpoints(db, ref.chain);
  const header: ExportHeader = {
    t: 'header',
    kind: EXPORT_KIND,
    version: EXPORT_VERSION,
    chain: ref.chain,
    tenant: ref.tenant,
    exportedAt: new Date().toISOString(),
    publicKeys: await Promise.all(
      ring.keys.map(async (k) => ({
        keyId: await keyIdOf(k.publicKey),
        publicKey: rawPublicKey(k.publicKey),
        created: k.created,
        retired: k.retired,
      })),
    ),
  };
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  let entries = 0;
  try {
    const lines = [JSON.stringify(header)];
    // the fresh checkpoint last, so "the latest" is the last checkpoint line
    for (const cp of checkpoints) if (cp.seq !== fresh.seq) lines.push(JSON.stringify({ t: 'checkpoint', ...cp }));
    lines.push(JSON.stringify({ t: 'checkpoint', ...fresh }));
    await fh.write(`${lines.join('\n')}\n`);
    const pageSize = opts.pageSize ?? 5000;
    const tx = await (db as Db & { $client: Client }).$client.transaction('read');
    try {
      const total = opts.onProgress
        ? Number((await tx.execute({ sql: 'SELECT count(*) FROM audit_events WHERE chain = ?', args: [ref.chain] })).rows[0]?.[0] ?? 0)
        : 0;
      let after = 0;
      for (;;) {
        const page = await tx.execute({ sql: PAGE_SQL, args: [ref.chain, after, pageSize] });
        if (page.rows.length > 0) await fh.write(`${page.rows.map((r) => entryLine(r, ref.chain)).join('\n')}\n`);
        entries += page.rows.length;
        opts.onProgress?.(entries, total);
        if (page.rows.length < pageSize) break;
        after = Number(page.rows[page.rows.length - 1]?.[0]);
      }
    } finally {
      tx.close();
    }
    await fh.sync();
    await fh.close();
    await rename(tmp, out);
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
  return { file: out, entries, checkpoint: fresh };
}
