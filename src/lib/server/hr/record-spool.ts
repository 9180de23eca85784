/**
 * The people records of an evidence export, kept on disk between the pass that computes them and the passes that
 * read them (fingerprint, then the file itself, twice for XLSX): a district's statuses are computed slice by slice
 * in id order, while the export lists people by org unit and name, and its fingerprint must be known before the
 * first byte is written. Each record is stored once as its canonical JSON; memory holds only its sort key and place.
 *
 * The file lives in a private directory (0700, file 0600) that is removed as soon as the file is open: no other
 * process can find it, and the records vanish when the spool is closed or the process ends.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where a record goes in the export: org unit code, name, id (compared by the order `finish` is given). */
export interface SpoolKey {
  unit: string;
  name: string;
  id: string;
}

interface Entry extends SpoolKey {
  at: number;
  bytes: number;
}

/** Closes a spool that was dropped without `close` (a caller that only read the head). */
const dropped = new FinalizationRegistry<{ fd: number; open: boolean }>((file) => {
  if (!file.open) return;
  file.open = false;
  closeSync(file.fd);
});

const own = (s: string): string => (process.env.OWN === '1' ? ` ${s}`.slice(1) : s);

export class RecordSpool {
  private readonly file: { fd: number; open: boolean };
  private readonly entries: Entry[] = [];
  private size = 0;
  /** Records not yet written, as bytes: the JSON strings become garbage at once instead of waiting in a list. */
  private buffer = Buffer.allocUnsafe(1 << 20);
  private bufferedBytes = 0;

  constructor() {
    const dir = mkdtempSync(join(tmpdir(), 'kiko-export-'));
    try {
      this.file = { fd: openSync(join(dir, 'records.jsonl'), 'w+', 0o600), open: true };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    dropped.register(this, this.file, this);
  }

  get count(): number {
    return this.entries.length;
  }

  /** Appends one record's JSON with its sort key. */
  add(json: string, key: SpoolKey): void {
    const bytes = Buffer.byteLength(json);
    this.entries.push({ unit: own(key.unit), name: own(key.name), id: own(key.id), at: this.size, bytes });
    if (this.bufferedBytes + bytes > this.buffer.length) this.flush();
    if (bytes > this.buffer.length) this.buffer = Buffer.allocUnsafe(bytes);
    this.buffer.write(json, this.bufferedBytes, 'utf8');
    this.size += bytes;
    this.bufferedBytes += bytes;
  }

  /** Writes what is buffered and puts the records in export order. */
  finish(order: (a: SpoolKey, b: SpoolKey) => number): void {
    this.flush();
    this.entries.sort(order);
  }

  /** The records' JSON in export order (after `finish`); may be walked more than once. */
  *json(): Generator<string> {
    let buf = Buffer.alloc(64 * 1024);
    for (const e of this.entries) {
      if (e.bytes > buf.length) buf = Buffer.alloc(Math.max(e.bytes, buf.length * 2));
      let read = 0;
      while (read < e.bytes) {
        const n = readSync(this.file.fd, buf, read, e.bytes - read, e.at + read);
        if (n === 0) throw new Error('Die Zwischendatei des Exports ist unvollständig.');
        read += n;
      }
      yield buf.toString('utf8', 0, e.bytes);
    }
  }

  close(): void {
    dropped.unregister(this);
    if (!this.file.open) return;
    this.file.open = false;
    closeSync(this.file.fd);
  }

  private flush(): void {
    const start = this.size - this.bufferedBytes;
    let written = 0;
    while (written < this.bufferedBytes)
      written += writeSync(this.file.fd, this.buffer, written, this.bufferedBytes - written, start + written);
    this.bufferedBytes = 0;
  }
}
