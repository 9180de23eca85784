/**
 * A signature over the whole certificate PDF, so that a file changed in any byte — also on the visible page,
 * which the payload signature in the metadata does not cover — verifies as "nicht echt".
 *
 * The PDF as rendered is signed (Ed25519, the district's active key) and the signature is appended as an
 * incremental update (ISO 32000-1, 7.5.6; allowed by PDF/A-2): a copy of the document information dictionary
 * with `/KikoFileKeyId` and `/KikoFileSignature` added, a one-entry cross-reference section and a trailer with
 * `/Prev`. Viewers show the file unchanged; extractCertificateFromPdf reads the last information dictionary.
 * The update is built deterministically from the signed bytes, so verification rebuilds it and compares bytes.
 */
import { sign, verify } from 'node:crypto';
import { getKey, type KeyRing } from './signing-keys.ts';

const TRAILER = /trailer\n<<\n([\s\S]*?)>>\nstartxref\n(\d+)\n%%EOF\n$/;

function entry(dict: string, key: string): string {
  const value = new RegExp(`^/${key} (.+)$`, 'm').exec(dict)?.[1];
  if (!value) throw new Error(`PDF-Trailer ohne /${key}`);
  return value;
}

/** Builds the incremental update that carries `signature` for the bytes `signed` (a complete PDF from pdfkit). */
function sealUpdate(signed: Buffer, keyId: string, signature: string): Buffer {
  const text = signed.toString('latin1');
  const trailer = TRAILER.exec(text.slice(-2000));
  if (!trailer?.[1] || !trailer[2]) throw new Error('PDF-Ende nicht erkannt');
  const dict = trailer[1];
  const size = Number(entry(dict, 'Size'));
  const info = /^(\d+) 0 R$/.exec(entry(dict, 'Info'))?.[1];
  if (!info) throw new Error('PDF ohne Dokumentinformationen');
  const start = text.lastIndexOf(`\n${info} 0 obj\n<<\n`);
  if (start < 0) throw new Error('Dokumentinformationen nicht gefunden');
  const bodyStart = start + `\n${info} 0 obj\n<<\n`.length;
  const body = text.slice(bodyStart, text.indexOf('>>\nendobj', bodyStart));
  const object = `${size} 0 obj\n<<\n${body}/KikoFileKeyId (${keyId})\n/KikoFileSignature (${signature})\n>>\nendobj\n`;
  const xrefAt = signed.length + object.length;
  const xref = `xref\n${size} 1\n${String(signed.length).padStart(10, '0')} 00000 n \n`;
  const newTrailer = `trailer\n<<\n/Size ${size + 1}\n/Root ${entry(dict, 'Root')}\n/Info ${size} 0 R\n/ID ${entry(dict, 'ID')}\n/Prev ${trailer[2]}\n>>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(object + xref + newTrailer, 'latin1');
}

/** Returns the PDF with the file signature of the ring's active key appended. */
export function sealCertificatePdf(pdf: Buffer, ring: KeyRing): Buffer {
  const signature = sign(null, pdf, ring.active.privateKey).toString('base64url');
  return Buffer.concat([pdf, sealUpdate(pdf, ring.active.id, signature)]);
}

/**
 * Returns true when the file is exactly a sealed KIKO PDF whose seal verifies with a key of the ring (retired
 * keys included). False — never throws — for any changed, appended, truncated or re-saved file.
 */
export function verifyPdfSeal(pdf: Buffer | Uint8Array, ring: KeyRing): boolean {
  try {
    const file = Buffer.from(pdf);
    const text = file.toString('latin1');
    const tail = text.slice(-4000);
    const prev = /\/Prev (\d+)\n>>\nstartxref\n\d+\n%%EOF\n$/.exec(tail)?.[1];
    const seal = /\/KikoFileKeyId \(([\w-]{1,100})\)\n\/KikoFileSignature \(([A-Za-z0-9_-]{86})\)\n>>\nendobj\nxref\n/.exec(tail);
    if (!prev || !seal?.[1] || !seal[2]) return false;
    const marker = `startxref\n${prev}\n%%EOF\n`;
    const end = text.lastIndexOf(marker, text.length - tail.length + (seal.index ?? 0)) + marker.length;
    if (end < marker.length) return false;
    const signed = file.subarray(0, end);
    if (!sealUpdate(signed, seal[1], seal[2]).equals(file.subarray(end))) return false;
    const key = getKey(ring, seal[1]);
    return !!key && verify(null, signed, key.publicKey, Buffer.from(seal[2], 'base64url'));
  } catch {
    return false;
  }
}
