/**
 * Reads one chain in pages of chain positions inside a read transaction (a consistent snapshot, constant memory),
 * for verification and export. Each row comes back as ONE `json_array` text column: @libsql/client builds a row object
 * with a getter per column, which at 15 columns cost more than all the checks; JSON.parse of one text per row is
 * native and returns every text (including `data`, a JSON string inside the array) exactly as stored.
 */
import type { Client } from '@libsql/client';
import type { Db } from '../../../../db/client.ts';

/**
 * One stored entry with its personal part, in this column order:
 * [chainSeq, format, tenantId, at (ms), actorId, type, subjectId, dataJson, prevHash, hash, personalHash,
 *  personalChain, salt, personalJson, erasedBy]
 */
export type StoredEntryRow = [
  number,
  number,
  string | null,
  number,
  string | null,
  string,
  string | null,
  string,
  string,
  string,
  string | null,
  string | null,
  string | null,
  string | null,
  number | null,
];

const PAGE_SQL = `SELECT json_array(e.chain_seq, e.format, e.tenant_id, e.at, e.actor_id, e.type, e.subject_id, e.data, e.prev_hash,
  e.hash, e.personal_hash, p.chain, p.salt, p.data, p.erased_by)
  FROM audit_events e LEFT JOIN audit_personal p ON p.seq = e.seq
  WHERE e.chain = ? AND e.chain_seq > ? ORDER BY e.chain_seq LIMIT ?`;

export interface ChainPages {
  /** Number of entries of the chain in the snapshot. */
  count(): Promise<number>;
  /** The entries in chain order, a page at a time. */
  pages(): AsyncGenerator<StoredEntryRow[]>;
  /** Ends the read transaction. */
  close(): void;
}

/** Opens a read snapshot of `chain`; call close() when done. */
export async function openChainPages(db: Db, chain: string, pageSize = 5000): Promise<ChainPages> {
  const tx = await (db as Db & { $client: Client }).$client.transaction('read');
  return {
    async count() {
      const r = await tx.execute({ sql: 'SELECT count(*) FROM audit_events WHERE chain = ?', args: [chain] });
      return Number(r.rows[0]?.[0] ?? 0);
    },
    async *pages() {
      let after = 0;
      for (;;) {
        const page = await tx.execute({ sql: PAGE_SQL, args: [chain, after, pageSize] });
        const rows = page.rows.map((r) => JSON.parse(String(r[0])) as StoredEntryRow);
        if (rows.length > 0) yield rows;
        if (rows.length < pageSize) return;
        after = (rows[rows.length - 1] as StoredEntryRow)[0];
      }
    },
    close: () => tx.close(),
  };
}
