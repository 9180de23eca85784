/**
 * Certificate data in the PDF's document information dictionary, so that an uploaded PDF can be verified:
 * `KikoCertificateId`, `KikoSignature` and `KikoPayload` (the canonical payload, base64url). All three are
 * plain ASCII, written by pdfkit as literal strings; reading them back needs no PDF library.
 * Limitation: a PDF re-saved by another program may move the info dictionary into a compressed object
 * stream; then extraction returns null and the verify page should ask for the certificate number instead.
 */
import { type CertificatePayload, canonicalPayload, certificatePayloadSchema, normalizeCertificateId } from './certificate-payload.ts';
import { type KeyRing, verifyPayload } from './signing-keys.ts';

/** Names of the custom info keys. */
export const PDF_INFO_KEYS = { id: 'KikoCertificateId', signature: 'KikoSignature', payload: 'KikoPayload' } as const;

/** What a certificate PDF carries about itself. `payload` is null when missing or not a valid payload. */
export interface ExtractedCertificate {
  id: string;
  signature: string;
  payload: CertificatePayload | null;
}

/** Returns the custom info entries for a signed payload. */
export function certificateInfoEntries(payload: CertificatePayload, signature: string): Record<string, string> {
  return {
    [PDF_INFO_KEYS.id]: payload.id,
    [PDF_INFO_KEYS.signature]: signature,
    [PDF_INFO_KEYS.payload]: canonicalPayload(payload).toString('base64url'),
  };
}

/** Parses a PDF literal string starting at `(` (balanced parentheses, backslash escapes). */
function literalString(pdf: string, start: number): string {
  let out = '';
  let depth = 0;
  for (let i = start; i < pdf.length; i++) {
    const c = pdf[i];
    if (c === '\\') {
      const n = pdf[++i] ?? '';
      const oct = /^[0-7]{1,3}/.exec(pdf.slice(i, i + 3))?.[0];
      if (oct) {
        out += String.fromCharCode(Number.parseInt(oct, 8));
        i += oct.length - 1;
      } else out += { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '\r': '', '\n': '' }[n] ?? n;
    } else if (c === '(') {
      if (depth++ > 0) out += c;
    } else if (c === ')') {
      if (--depth === 0) return out;
      out += c;
    } else out += c;
  }
  return out;
}

/** Returns the value of a string entry: literal `(…)`, hex `<…>` or an indirect reference to one. */
function stringValue(pdf: string, key: string): string | null {
  const entries = [...pdf.matchAll(new RegExp(`/${key}\\s*(\\(|<(?!<)|(\\d+)\\s+(\\d+)\\s+R)`, 'g'))];
  const last = entries[entries.length - 1]; // incremental updates append: the last one wins
  if (!last || last.index === undefined) return null;
  let at = last.index + last[0].length - last[1]!.length;
  if (last[2] !== undefined) {
    const defs = [...pdf.matchAll(new RegExp(`(?:^|[\\s>])${last[2]}\\s+${last[3]}\\s+obj\\s*`, 'g'))];
    const def = defs[defs.length - 1];
    if (!def || def.index === undefined) return null;
    at = def.index + def[0].length;
  }
  let raw: string;
  if (pdf[at] === '(') raw = literalString(pdf, at);
  else if (pdf[at] === '<')
    raw = Buffer.from(/^<([0-9a-fA-F\s]*)>/.exec(pdf.slice(at))?.[1]?.replace(/\s/g, '') ?? '', 'hex').toString('latin1');
  else return null;
  // UTF-16BE with byte order mark (how pdfkit writes non-ASCII strings)
  if (raw.startsWith('\xfe\xff')) return Buffer.from(raw.slice(2), 'latin1').swap16().toString('utf16le');
  return raw;
}

/**
 * Reads certificate id, signature and payload from a KIKO certificate PDF. Returns null when the file
 * carries no (well-formed) KIKO certificate id and signature. Never throws on bad input.
 */
export function extractCertificateFromPdf(pdf: Buffer | Uint8Array): ExtractedCertificate | null {
  try {
    const text = Buffer.from(pdf).toString('latin1');
    if (!text.startsWith('%PDF-')) return null;
    const id = normalizeCertificateId(stringValue(text, PDF_INFO_KEYS.id) ?? '');
    const signature = stringValue(text, PDF_INFO_KEYS.signature);
    if (!id || !signature || !/^[A-Za-z0-9_-]{20,200}$/.test(signature)) return null;
    const encoded = stringValue(text, PDF_INFO_KEYS.payload);
    let payload: CertificatePayload | null = null;
    if (encoded) {
      const parsed = certificatePayloadSchema.safeParse(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')));
      payload = parsed.success && parsed.data.id === id ? parsed.data : null;
    }
    return { id, signature, payload };
  } catch {
    return null;
  }
}

/**
 * Verifies an uploaded certificate PDF offline: extracts id, signature and payload and checks the signature.
 * `valid` says that the embedded payload was signed by KIKO; the caller should still show the payload (or the
 * stored record for `id`), because the visible page of a PDF can be edited independently of its metadata.
 */
export function verifyCertificatePdf(
  pdf: Buffer | Uint8Array,
  ring: KeyRing,
): { valid: boolean; certificate: ExtractedCertificate | null } {
  const certificate = extractCertificateFromPdf(pdf);
  const valid = !!certificate?.payload && verifyPayload(certificate.payload, certificate.signature, ring);
  return { valid, certificate };
}
