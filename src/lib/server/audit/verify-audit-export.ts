/**
 * Checks an exported audit chain OFFLINE — no database, only the file (format: audit-export-format.ts) and optionally
 * a checkpoint kept elsewhere and the keys the verifier trusts. Same checks as the database verification
 * (chain-verifier.ts); envelopes are re-canonicalised with RFC 8785, so any tool can repeat the computation.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type AuditCheckpoint, parseCheckpoint } from './audit-checkpoint.ts';
import { EXPORT_KIND, EXPORT_VERSION, type ExportHeader } from './audit-export-format.ts';
import { canonicalJson } from './audit-hash.ts';
import { type AuditVerification, type ChainEntry, ChainVerifier } from './chain-verifier.ts';

export interface VerifyAuditExportOptions {
  /** A checkpoint kept outside the export (`--checkpoint FILE`). */
  checkpoint?: AuditCheckpoint | undefined;
  /** Raw public keys the verifier trusts (e.g. the district's published key); default: the keys listed in the header. */
  trustedKeys?: Set<string> | undefined;
  onProgress?: (entries: number) => void;
}

/** Result of an export check: the chain verification plus what the header says. */
export interface AuditExportVerification extends AuditVerification {
  header: ExportHeader | null;
}

const broken = (seq: number, reason: string, header: ExportHeader | null): AuditExportVerification => ({
  entries: 0,
  ok: false,
  firstBroken: { seq, reason },
  lastSeq: 0,
  checkpoints: 0,
  keyIds: [],
  header,
});

/** Turns an entry line into a chain entry; throws for lines that are not one. */
function toEntry(v: Record<string, unknown>, chain: string): ChainEntry {
  if (v.format === 1) {
    return {
      format: 1,
      seq: Number(v.seq),
      tenantId: (v.tenantId ?? null) as string | null,
      at: Number(v.at),
      actorId: (v.actorId ?? null) as string | null,
      type: String(v.type),
      subjectId: (v.subjectId ?? null) as string | null,
      data: v.data,
      prevHash: String(v.prevHash),
      hash: String(v.hash),
    };
  }
  const env = v.envelope as Record<string, unknown> | undefined;
  if (v.format !== 2 || !env || typeof env !== 'object' || env.v !== 2) throw new Error('unbekanntes Format');
  const p = v.personal as { salt?: unknown; data?: unknown; erasedBy?: unknown } | null | undefined;
  return {
    format: 2,
    seq: Number(env.seq),
    chain: String(env.chain),
    type: String(env.type),
    prevHash: String(env.prevHash),
    personalHash: (env.personalHash ?? null) as string | null,
    canonical: canonicalJson(env),
    data: () => (env.data ?? {}) as Record<string, unknown>,
    hash: String(v.hash),
    personal: p
      ? {
          chain,
          salt: String(p.salt),
          json: p.data === null || p.data === undefined ? null : canonicalJson(p.data),
          erasedBy: p.erasedBy === null || p.erasedBy === undefined ? null : Number(p.erasedBy),
        }
      : null,
  };
}

/** Verifies the export file `file`. */
export async function verifyAuditExport(file: string, opts: VerifyAuditExportOptions = {}): Promise<AuditExportVerification> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
  let header: ExportHeader | null = null;
  let verifier: ChainVerifier | null = null;
  let lineNo = 0;
  let entries = 0;
  let checkpoints = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(line) as Record<string, unknown>;
    } catch {
      if (!verifier) return broken(1, 'Die Datei ist kein KIKO-Audit-Export (Kopfzeile unlesbar).', null);
      verifier.reject(verifier.expected, `Zeile ${lineNo} der Exportdatei ist kein gültiges JSON (beschädigt oder verändert?).`);
      continue;
    }
    if (!header) {
      if (v.t !== 'header' || v.kind !== EXPORT_KIND || v.version !== EXPORT_VERSION || typeof v.chain !== 'string') {
        lines.close();
        return broken(1, 'Die Datei ist kein KIKO-Audit-Export (Kopfzeile fehlt oder hat eine unbekannte Version).', null);
      }
      header = v as unknown as ExportHeader;
      const listed = new Set((header.publicKeys ?? []).map((k) => k.publicKey));
      const trusted = opts.trustedKeys ? new Set([...listed].filter((k) => opts.trustedKeys?.has(k))) : listed;
      verifier = new ChainVerifier(header.chain, { trustedKeys: trusted });
      if (opts.checkpoint) await verifier.checkpoint(opts.checkpoint);
      continue;
    }
    const chainVerifier = verifier as ChainVerifier;
    if (v.t === 'checkpoint') {
      const cp = parseCheckpoint(v);
      checkpoints++;
      if (cp) await chainVerifier.checkpoint(cp);
      else chainVerifier.reject(chainVerifier.expected, `Zeile ${lineNo}: Kontrollpunkt unlesbar (verändert?).`);
    } else if (v.t === 'entry') {
      let entry: ChainEntry;
      try {
        entry = toEntry(v, header.chain);
      } catch {
        chainVerifier.reject(chainVerifier.expected, `Zeile ${lineNo}: Eintrag in unbekanntem Format (verändert?).`);
        continue;
      }
      chainVerifier.add(entry);
      entries++;
      if (opts.onProgress && entries % 10000 === 0) opts.onProgress(entries);
    } else {
      chainVerifier.reject(chainVerifier.expected, `Zeile ${lineNo}: unbekannter Zeilentyp (verändert?).`);
    }
  }
  if (!header || !verifier) return broken(1, 'Die Exportdatei ist leer.', null);
  const result = verifier.finish();
  if (checkpoints === 0 && !result.firstBroken)
    return {
      ...result,
      ok: false,
      firstBroken: { seq: result.lastSeq + 1, reason: 'Der Export enthält keinen Kontrollpunkt (unvollständig oder gekürzt?).' },
      header,
    };
  return { ...result, header };
}
