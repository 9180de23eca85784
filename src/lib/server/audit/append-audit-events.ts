/**
 * Appends many entries of ONE chain at once (imports, closing an org unit): the chain head is read once, the hashes
 * are computed in order, and envelopes and personal parts go in as one INSERT … SELECT each (rows as one JSON
 * parameter). The same format-2 entries as appendAuditEvent writes one by one, so verification cannot tell them
 * apart. Runs in the caller's transaction; the unique index (chain, chain_seq) still refuses a forked chain.
 */
import { sql } from 'drizzle-orm';
import { auditEventTable, auditPersonalTable } from '../../../../db/schema/index.ts';
import type { Tx } from '../evidence/record.ts';
import { type AuditEventInput, chainHead, splitPersonal } from './append-audit-event.ts';
import { canonicalJson, envelopeHash, newSalt, personalHash } from './audit-hash.ts';

/** Entries per statement (each travels as part of one JSON parameter). */
const CHUNK = 2_000;

/** Appends the entries in the given order; all must belong to the same tenant chain. Returns how many were written. */
export async function appendAuditEvents(tx: Tx, inputs: readonly AuditEventInput[]): Promise<number> {
  if (inputs.length === 0) return 0;
  const chain = inputs[0]?.tenantId ?? '';
  if (inputs.some((i) => (i.tenantId ?? '') !== chain)) throw new Error('appendAuditEvents: entries of one chain only');
  const head = await chainHead(tx, chain);
  let prev = head.hash;
  let seq = head.seq;
  const envelopes: unknown[] = [];
  const personals: unknown[] = [];
  for (const input of inputs) {
    const at = input.at ?? new Date();
    const { data, personal } = splitPersonal(input);
    const personalJson = personal ? canonicalJson(personal) : null;
    const salt = personal ? newSalt() : null;
    const pHash = salt && personalJson ? personalHash(salt, personalJson) : null;
    seq += 1;
    const hash = envelopeHash({ v: 2, chain, seq, at: at.toISOString(), type: input.type, data, prevHash: prev, personalHash: pHash });
    envelopes.push([at.getTime(), input.type, canonicalJson(data), prev, hash, seq, pHash]);
    if (personal && salt && personalJson)
      personals.push([seq, (personal.subjectId ?? personal.actorId ?? null) as string | null, salt, personalJson]);
    prev = hash;
  }
  const tenantId = inputs[0]?.tenantId ?? null;
  for (let i = 0; i < envelopes.length; i += CHUNK)
    await tx.run(sql`INSERT INTO ${auditEventTable} (tenant_id, at, actor_id, type, subject_id, data, prev_hash, hash, format, chain, chain_seq, personal_hash)
      SELECT ${tenantId}, value->>0, NULL, value->>1, NULL, value->>2, value->>3, value->>4, 2, ${chain}, value->>5, value->>6
        FROM json_each(${JSON.stringify(envelopes.slice(i, i + CHUNK))})`);
  for (let i = 0; i < personals.length; i += CHUNK)
    await tx.run(sql`INSERT INTO ${auditPersonalTable} (seq, chain, person_id, salt, data)
      SELECT e.seq, ${chain}, j.value->>1, j.value->>2, j.value->>3
        FROM json_each(${JSON.stringify(personals.slice(i, i + CHUNK))}) AS j
        -- CROSS JOIN keeps the batch as the outer loop: one index lookup per entry, not a scan of the chain per entry
       CROSS JOIN ${auditEventTable} AS e ON e.chain = ${chain} AND e.chain_seq = j.value->>0`);
  return envelopes.length;
}
