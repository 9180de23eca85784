/**
 * The signed content of a KIKO certificate: who learned what, for which district, when and until when.
 * The payload is the single source of truth for the PDF/PNG rendering, the payload signature and the
 * Open Badges 3.0 credential. Its canonical form (sorted-key JSON, UTF-8) is what gets signed.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** Crockford base32 alphabet (no I, L, O, U): readable aloud, no ambiguous characters. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 10 characters × 5 bits = 50 random bits, as asked for by the design. */
const ID_LENGTH = 10;

/** Pattern of a certificate id in its stored (canonical) form. */
export const CERTIFICATE_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{10}$/;

/** UTC timestamp in ISO 8601 form, e.g. `2026-03-01T09:30:00.000Z` (no offsets: one spelling per instant). */
const isoUtc = z.iso.datetime();

/** A course that counts towards the certificate, as it was when the certificate was issued. */
export const certificateCourseSchema = z.strictObject({
  /** Course id (folder name under courses/). */
  id: z.string().min(1).max(200),
  /** Course title as shown to learners. */
  title: z.string().min(1).max(300),
  /** Planned learning time of the course in minutes. */
  minutes: z.int().min(0).max(100_000),
  /** Content version of the course at completion (derived by the content loader). */
  version: z.string().min(1).max(100),
});

/** Zod schema of the signed certificate payload. Unknown keys are rejected, so nothing unsigned slips in. */
export const certificatePayloadSchema = z.strictObject({
  /** Short unguessable certificate code (10 characters Crockford base32, 50 random bits). */
  id: z.string().regex(CERTIFICATE_ID_PATTERN, 'Zertifikat-ID: 10 Zeichen Crockford-Base32 erwartet'),
  /** The district (tenant) that issues the certificate. */
  tenant: z.strictObject({ slug: z.string().min(1).max(100), name: z.string().min(1).max(300) }),
  /** The learner, with only the data printed on the certificate. */
  holder: z.strictObject({ name: z.string().min(1).max(200) }),
  /** `course`: Teilnahmebescheinigung for one course; `path`: Zertifikat KI-Kompetenz for a learning path. */
  kind: z.enum(['course', 'path']),
  /** What was achieved: one course or a learning path made of courses. */
  achievement: z.strictObject({
    /** Course id or learning path id. */
    id: z.string().min(1).max(200),
    /** Title of the course or learning path. */
    title: z.string().min(1).max(300),
    /** The completed courses (for a course certificate: exactly that course). */
    courses: z.array(certificateCourseSchema).min(1).max(200),
    /** Art. 4 KI-VO topics covered (e.g. "Grundlagen generativer KI", "Datenschutz"). */
    topics: z.array(z.string().min(1).max(200)).max(100),
    /** Total learning time in minutes. */
    minutes: z.int().min(0).max(1_000_000),
  }),
  /** Time of issue (UTC). */
  issuedAt: isoUtc,
  /** End of validity, after which a refresher (Auffrischung) is due; null: no expiry. */
  expiresAt: isoUtc.nullable(),
  /** Id of the signing key in the key ring (see signing-keys.ts). */
  keyId: z.string().min(1).max(100),
});

/** The signed content of a certificate. */
export type CertificatePayload = z.infer<typeof certificatePayloadSchema>;

/**
 * Returns a new random certificate id: 10 Crockford base32 characters from 50 bits of
 * `crypto.randomBytes` (about 10^15 values, so ids cannot be enumerated on the verify page).
 */
export function newCertificateId(): string {
  const bytes = randomBytes(7); // 56 bits; the lowest 6 are dropped
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  bits >>= 6n;
  let id = '';
  for (let i = ID_LENGTH - 1; i >= 0; i--) id += CROCKFORD[Number((bits >> BigInt(i * 5)) & 31n)];
  return id;
}

/**
 * Returns the canonical id for user input such as `abcde-fghjk` or `ABCDE FGHJK`, mapping the Crockford
 * look-alikes (O→0, I/L→1); null when the input cannot be a certificate id.
 */
export function normalizeCertificateId(input: string): string | null {
  const id = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return CERTIFICATE_ID_PATTERN.test(id) ? id : null;
}

/** Returns the id in groups of five for print (`ABCDE-FGHJK`). */
export function formatCertificateId(id: string): string {
  return id.length === ID_LENGTH ? `${id.slice(0, 5)}-${id.slice(5)}` : id;
}

/** JSON with object keys sorted at every level (RFC 8785 for the value types a payload has). */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Returns the bytes that are signed: the payload validated by the schema (throws a ZodError when it is
 * invalid) and serialized as JSON with sorted keys, UTF-8 encoded. Same payload, same bytes, on every machine.
 */
export function canonicalPayload(payload: CertificatePayload): Buffer {
  return Buffer.from(sortedJson(certificatePayloadSchema.parse(payload)), 'utf8');
}
