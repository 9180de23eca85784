/**
 * The checks of an audit chain, fed entry by entry in chain order: shared by the database verification
 * (verify-audit-chain.ts) and the offline check of an export (verify-audit-export.ts), so both judge alike.
 *
 * Detects: gaps in the sequence (deleted entries), entries out of place (inserted or reordered), broken prevHash
 * links, changed content (hash), changed or missing personal parts, parts cleared without a covering erasure entry,
 * invalid or untrusted checkpoint signatures, and a log that ends before, or differs from, a signed checkpoint
 * (truncated or rewritten tail). Reasons are German, for the administrator's console.
 */

import { type AuditCheckpoint, checkpointSignatureValid } from './audit-checkpoint.ts';
import { ERASURE_TYPE, erasedSeqsHash, personalHash, sha256Hex, v1Hash } from './audit-hash.ts';

/** The personal part of an entry as stored; `json` (canonical text) is null once erased. */
export interface PersonalPart {
  chain: string;
  salt: string;
  json: string | null;
  erasedBy: number | null;
}

/** A format-1 entry (the fields its hash covers, as stored). */
export interface ChainEntryV1 {
  format: 1;
  seq: number;
  tenantId: string | null;
  at: number;
  actorId: string | null;
  type: string;
  subjectId: string | null;
  data: unknown;
  prevHash: string;
  hash: string;
}

/** A format-2 entry: the envelope's fields that are checked and its canonical JSON, which the hash covers. */
export interface ChainEntryV2 {
  format: 2;
  /** Position as stated by the envelope. */
  seq: number;
  chain: string;
  type: string;
  prevHash: string;
  personalHash: string | null;
  /** RFC 8785 canonical JSON of the whole envelope. */
  canonical: string;
  /** Data of the envelope, only needed for erasure entries (count, seqsHash). */
  data: () => Record<string, unknown>;
  hash: string;
  personal: PersonalPart | null;
}

export type ChainEntry = ChainEntryV1 | ChainEntryV2;

/** Where the chain first fails, with the reason in German. */
export interface BrokenEntry {
  seq: number;
  reason: string;
}

/** Result of a verification. */
export interface AuditVerification {
  /** Entries read. */
  entries: number;
  ok: boolean;
  firstBroken: BrokenEntry | null;
  /** Last chain position read (0 for an empty chain). */
  lastSeq: number;
  /** Checkpoints checked (stored, exported and given by file). */
  checkpoints: number;
  /** Key ids (did:key) that signed the checkpoints. */
  keyIds: string[];
}

export interface VerifierOptions {
  /** Raw public keys (base64url) whose checkpoints are trusted; undefined: any validly signed checkpoint. */
  trustedKeys?: Set<string> | undefined;
}

const germanDate = (iso: string): string => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('de-DE', { timeZone: 'Europe/Berlin' });
};

/** Streaming verifier: call `checkpoint()` for each checkpoint, `add()` for each entry in order, then `finish()`. */
export class ChainVerifier {
  readonly #chain: string;
  readonly #trusted: Set<string> | undefined;
  #expected = 1;
  #prevHash = '';
  #lastSeq = 0;
  #entries = 0;
  #seenV2 = false;
  #broken: BrokenEntry | null = null;
  #streamBroken = false;
  /** Checkpoints by position: the hash they name. */
  readonly #checkpoints = new Map<number, AuditCheckpoint[]>();
  #checkpointCount = 0;
  readonly #keyIds = new Set<string>();
  /** Cleared parts by the erasure entry that claims them. */
  readonly #cleared = new Map<number, number[]>();
  /** Erasure entries: position → their data. */
  readonly #erasures = new Map<number, { count: unknown; seqsHash: unknown }>();

  constructor(chain: string, opts: VerifierOptions = {}) {
    this.#chain = chain;
    this.#trusted = opts.trustedKeys;
  }

  /** Records a problem; the one at the lowest position wins. */
  #fail(seq: number, reason: string): void {
    if (!this.#broken || seq < this.#broken.seq) this.#broken = { seq, reason };
  }

  /** Marks the chain broken at `seq` for a reason found outside the verifier (e.g. an unreadable export line). */
  reject(seq: number, reason: string): void {
    this.#fail(seq, reason);
    this.#streamBroken = true;
  }

  /** Position the next entry must have. */
  get expected(): number {
    return this.#expected;
  }

  /** Registers a checkpoint (before or while entries are added); checks its signature and key. */
  async checkpoint(cp: AuditCheckpoint): Promise<void> {
    this.#checkpointCount++;
    const label = `Kontrollpunkt vom ${germanDate(cp.at)} (Eintrag ${cp.seq})`;
    if (cp.chain !== this.#chain) return this.#fail(Math.max(1, cp.seq), `${label} gehört zu einem anderen Protokoll.`);
    if (!(await checkpointSignatureValid(cp)))
      return this.#fail(Math.max(1, cp.seq), `${label}: Signatur ungültig (Kontrollpunkt verändert?).`);
    if (this.#trusted && !this.#trusted.has(cp.publicKey))
      return this.#fail(Math.max(1, cp.seq), `${label} ist mit einem unbekannten Schlüssel signiert (${cp.keyId}).`);
    this.#keyIds.add(cp.keyId);
    if (cp.seq === 0) {
      if (cp.hash !== '') this.#fail(1, `${label} nennt für ein leeres Protokoll einen Hash.`);
      return;
    }
    if (cp.seq < this.#expected) {
      // entry already passed (checkpoint from a file given late): compare with what we saw is not possible here
      this.#fail(cp.seq, `${label} kam zu spät zur Prüfung.`);
      return;
    }
    const list = this.#checkpoints.get(cp.seq) ?? [];
    list.push(cp);
    this.#checkpoints.set(cp.seq, list);
  }

  /** Checks the next entry of the chain; false once the chain is broken (later entries are only counted). */
  add(e: ChainEntry): boolean {
    this.#entries++;
    if (this.#streamBroken) return false;
    const broken = (seq: number, reason: string): false => {
      this.#fail(seq, reason);
      this.#streamBroken = true;
      return false;
    };
    if (e.seq > this.#expected)
      return broken(
        this.#expected,
        `Eintrag ${this.#expected} fehlt: auf Eintrag ${this.#expected - 1} folgt Eintrag ${e.seq} (gelöscht?).`,
      );
    if (e.seq < this.#expected)
      return broken(
        e.seq,
        `Eintrag ${e.seq} steht an falscher Stelle, erwartet war Eintrag ${this.#expected} (eingefügt oder umsortiert?).`,
      );
    if (e.prevHash !== this.#prevHash)
      return broken(
        e.seq,
        `Eintrag ${e.seq} ist nicht mit Eintrag ${e.seq - 1} verkettet (eingefügt, umsortiert oder Vorgänger verändert?).`,
      );
    if (e.format === 1) {
      if (this.#seenV2) return broken(e.seq, `Eintrag ${e.seq} im alten Format 1 steht hinter Einträgen im Format 2 (eingefügt?).`);
      if (v1Hash(e.prevHash, e) !== e.hash) return broken(e.seq, `Inhalt von Eintrag ${e.seq} wurde verändert (Hash stimmt nicht).`);
    } else {
      this.#seenV2 = true;
      if (e.chain !== this.#chain) return broken(e.seq, `Eintrag ${e.seq} gehört zu einem anderen Protokoll.`);
      if (sha256Hex(e.canonical) !== e.hash) return broken(e.seq, `Inhalt von Eintrag ${e.seq} wurde verändert (Hash stimmt nicht).`);
      const p = e.personal;
      if (e.personalHash === null && p)
        return broken(e.seq, `Eintrag ${e.seq} hat persönliche Angaben, auf die er nicht verweist (untergeschoben?).`);
      if (e.personalHash !== null && !p) return broken(e.seq, `Die persönlichen Angaben von Eintrag ${e.seq} fehlen (gelöscht?).`);
      if (p && e.personalHash !== null) {
        if (p.chain !== this.#chain)
          return broken(e.seq, `Die persönlichen Angaben von Eintrag ${e.seq} gehören zu einem anderen Protokoll.`);
        if (p.json !== null) {
          if (p.erasedBy !== null)
            return broken(e.seq, `Die persönlichen Angaben von Eintrag ${e.seq} sind als gelöscht vermerkt, aber noch vorhanden.`);
          if (personalHash(p.salt, p.json) !== e.personalHash)
            return broken(e.seq, `Die persönlichen Angaben von Eintrag ${e.seq} wurden verändert.`);
        } else if (p.erasedBy === null) {
          return broken(e.seq, `Die persönlichen Angaben von Eintrag ${e.seq} wurden ohne Löschvermerk entfernt.`);
        } else {
          const list = this.#cleared.get(p.erasedBy) ?? [];
          list.push(e.seq);
          this.#cleared.set(p.erasedBy, list);
        }
      }
      if (e.type === ERASURE_TYPE) {
        const d = e.data();
        this.#erasures.set(e.seq, { count: d.count, seqsHash: d.seqsHash });
      }
    }
    for (const cp of this.#checkpoints.get(e.seq) ?? [])
      if (cp.hash !== e.hash)
        return broken(
          e.seq,
          `Eintrag ${e.seq} weicht vom signierten Kontrollpunkt vom ${germanDate(cp.at)} ab (Protokoll umgeschrieben?).`,
        );
    this.#checkpoints.delete(e.seq);
    this.#prevHash = e.hash;
    this.#lastSeq = e.seq;
    this.#expected = e.seq + 1;
    return true;
  }

  /** Final checks (truncation against checkpoints, erasure coverage) and the result. */
  finish(): AuditVerification {
    if (!this.#streamBroken) {
      for (const [seq, cps] of this.#checkpoints) {
        const cp = cps[0] as AuditCheckpoint;
        this.#fail(
          this.#lastSeq + 1,
          `Protokoll verkürzt: es endet bei Eintrag ${this.#lastSeq}, der signierte Kontrollpunkt vom ${germanDate(cp.at)} nennt Eintrag ${seq}.`,
        );
      }
      for (const [by, seqs] of this.#cleared) {
        const erasure = this.#erasures.get(by);
        // seqs ascend (added in chain order); no spread of a possibly huge list into Math.min/max
        const first = seqs[0] as number;
        const lastCleared = seqs[seqs.length - 1] as number;
        if (!erasure && by > this.#lastSeq) {
          this.#fail(
            this.#lastSeq + 1,
            `Protokoll verkürzt: es endet bei Eintrag ${this.#lastSeq}, gelöschte Angaben verweisen aber auf den Löschvermerk ${by}.`,
          );
        } else if (!erasure || by <= lastCleared) {
          this.#fail(
            first,
            `Die persönlichen Angaben von Eintrag ${first} wurden entfernt, Eintrag ${by} ist aber kein passender Löschvermerk.`,
          );
        } else if (erasure.count !== seqs.length || erasure.seqsHash !== erasedSeqsHash(seqs)) {
          this.#fail(
            by,
            `Löschvermerk ${by} passt nicht zu den gelöschten Angaben (vermerkt: ${String(erasure.count)}, gelöscht: ${seqs.length}).`,
          );
        }
      }
      for (const [by, erasure] of this.#erasures)
        if (!this.#cleared.has(by) && erasure.count !== 0)
          this.#fail(by, `Löschvermerk ${by} nennt ${String(erasure.count)} gelöschte Angaben, gelöscht ist keine (wiederhergestellt?).`);
    }
    return {
      entries: this.#entries,
      ok: this.#broken === null,
      firstBroken: this.#broken,
      lastSeq: this.#lastSeq,
      checkpoints: this.#checkpointCount,
      keyIds: [...this.#keyIds],
    };
  }
}
