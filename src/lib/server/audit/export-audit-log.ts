/**
 * Exports one audit chain as a JSON Lines file (format: audit-export-format.ts) for auditors: a fresh signed
 * checkpoint is written first, then every entry with its envelope and, where present, its personal part. The file is
 * written to a temporary name next to `out` and renamed only when complete, so a reader never sees half an export.
 */
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Db } from '../../../../db/client.ts';
import { certificateConfig } from '../certificates/certificate-config.ts';
import type { KeyRing } from '../certificates/signing-keys.ts';
import { auditKeyRing, resolveAuditChain } from './audit-chain-ref.ts';
import { type AuditCheckpoint, keyIdOf, rawPublicKey } from './audit-checkpoint.ts';
import { EXPORT_KIND, EXPORT_VERSION, type ExportHeader } from './audit-export-format.ts';
import { envelopeCanonicalFromText } from './audit-hash.ts';
import { openChainPages, type StoredEntryRow } from './read-chain-pages.ts';
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

/** One entry line (without newline) from a stored row. */
function entryLine(r: StoredEntryRow, chain: string): string {
  const [seq, format, tenantId, at, actorId, type, subjectId, dataJson, prevHash, hash, personalHash] = r;
  if (format === 1)
    return JSON.stringify({
      t: 'entry',
      format: 1,
      seq,
      tenantId,
      at,
      actorId,
      type,
      subjectId,
      data: JSON.parse(dataJson),
      prevHash,
      hash,
    });
  const envelope = envelopeCanonicalFromText({ v: 2, chain, seq, at: new Date(at).toISOString(), type, dataJson, prevHash, personalHash });
  const [, , , , , , , , , , , , salt, personalJson, erasedBy] = r;
  const personal =
    salt === null ? 'null' : `{"salt":${JSON.stringify(salt)},"data":${personalJson ?? 'null'},"erasedBy":${erasedBy ?? 'null'}}`;
  return `{"t":"entry","format":2,"hash":${JSON.stringify(hash)},"envelope":${envelope},"personal":${personal}}`;
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
    const reader = await openChainPages(db, ref.chain, opts.pageSize);
    try {
      const total = opts.onProgress ? await reader.count() : 0;
      for await (const rows of reader.pages()) {
        await fh.write(`${rows.map((r) => entryLine(r, ref.chain)).join('\n')}\n`);
        entries += rows.length;
        opts.onProgress?.(entries, total);
      }
    } finally {
      reader.close();
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
