/**
 * Public verification of certificates: by id (verify URL, QR code, typed number) or by uploaded file (PDF or
 * Open Badges 3.0 JSON). Anyone may ask, so every request is rate-limited per IP address, unknown and malformed
 * ids give the same answer, and the holder is shown only as far as the district's setting allows
 * (`verificationHolder`: initials by default). The status is decided from the signed payload plus the record:
 * genuine, not genuine (signature, seal or record do not match), revoked, expired, or not found.
 */
import { and, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../../../db/client.ts';
import { certificateTable, tenantTable } from '../../../../db/schema/index.ts';
import { RateLimitedError } from '../errors/domain-errors.ts';
import { consumePoint, dbLimiter, knownRefusal } from '../http/rate-limit.ts';
import { readTenantSettings } from '../tenancy/tenant-settings.ts';
import type { CertificateConfig } from './certificate-config.ts';
import { type CertificatePayload, canonicalPayload, formatCertificateId, normalizeCertificateId } from './certificate-payload.ts';
import { storedPayload } from './certificate-records.ts';
import { certificateHeading } from './certificate-texts.ts';
import { checkCredentialShape, type KikoCredential } from './credential-shape.ts';
import { extractCertificateFromPdf } from './pdf-metadata.ts';
import { verifyPdfSeal } from './pdf-seal.ts';
import { type KeyRing, verifyPayload } from './signing-keys.ts';
import { getTenantKeyRing } from './tenant-key-ring.ts';
import { verifyOpenBadgeInWorker } from './verify-in-worker.ts';

/** Outcome of a verification. */
export type VerificationStatus = 'genuine' | 'not-genuine' | 'revoked' | 'expired' | 'not-found';

/** What the public page may show about a certificate. */
export interface PublicCertificate {
  id: string;
  displayId: string;
  kind: 'course' | 'path';
  heading: string;
  title: string;
  courses: Array<{ title: string; minutes: number }>;
  topics: string[];
  minutes: number;
  /** The issuing district. */
  issuer: string;
  issuedAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** A newer certificate replaces it (a record with `replacesId` exists; the typed reason stays internal). */
  replaced: boolean;
  /** Holder as the district allows: initials, full name, or null (not shown). */
  holder: string | null;
  holderShown: 'initials' | 'full' | 'none';
}

/** Result of verifyCertificateById / verifyCertificateUpload. */
export interface VerificationResult {
  status: VerificationStatus;
  /** German explanation for "not genuine". */
  reason?: string;
  /** Present for genuine, revoked and expired certificates. */
  certificate?: PublicCertificate;
}

/**
 * Checks allowed per IP address and window (verify URL and uploads together), and uploads allowed for the whole
 * server per upload window: clients that come from a new address with every upload (a botnet, or many people behind
 * one proxy that forwards their addresses) cannot keep the process busy with file checks. The check by certificate
 * number or QR code has no server-wide limit.
 */
export const VERIFY_LIMITS = { perIp: 60, windowSeconds: 5 * 60, uploadsPerWindow: 20, uploadWindowSeconds: 10 } as const;

/** The German refusal when the whole server's upload window is used up. */
function serverFull(msBeforeNext: number): RateLimitedError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new RateLimitedError(
    `Gerade werden sehr viele Dateien geprüft. Bitte versuchen Sie es in ${seconds} Sekunden erneut – oder prüfen Sie mit der Zertifikat-Nummer, die auf dem Zertifikat steht.`,
    seconds,
  );
}

/**
 * Counts one check for the IP (and with `upload`, one upload for the whole server); throws RateLimitedError (German
 * message) when a limit is reached. The upload page calls it before it reads the request body, so a client over a
 * limit costs no multipart parse, and then verifies without `ip` (one check counted once). While the server's upload
 * window is known to be used up, an upload is refused at once, before anything is counted in the database.
 */
export async function consumeVerifyQuota(db: Db, ip: string | undefined, opts: { upload?: boolean } = {}): Promise<void> {
  if (ip === undefined) return; // CLI and tests of the rules themselves
  const uploads = opts.upload
    ? dbLimiter(db, 'verify_upload', { points: VERIFY_LIMITS.uploadsPerWindow, windowSeconds: VERIFY_LIMITS.uploadWindowSeconds })
    : null;
  const full = uploads ? knownRefusal(uploads, 'server') : null;
  if (full) throw serverFull(full.msBeforeNext);
  const perIp = await consumePoint(
    dbLimiter(db, 'verify_ip', { points: VERIFY_LIMITS.perIp, windowSeconds: VERIFY_LIMITS.windowSeconds }),
    ip,
  );
  if (perIp) {
    const seconds = Math.max(1, Math.ceil(perIp.msBeforeNext / 1000));
    throw new RateLimitedError(
      `Zu viele Prüfungen in kurzer Zeit. Bitte versuchen Sie es in ${Math.ceil(seconds / 60)} Minuten erneut.`,
      seconds,
    );
  }
  if (!uploads) return;
  const server = await consumePoint(uploads, 'server');
  if (server) throw serverFull(server.msBeforeNext);
}

/** Initials of a name: "Małgorzata Müller-Weiß" → "M. M.-W." */
export function holderInitials(name: string): string {
  return name
    .trim()
    .split(/\s+/)
    .map((word) =>
      word
        .split('-')
        .map((part) => (part ? `${[...part][0]?.toLocaleUpperCase('de-DE')}.` : ''))
        .join('-'),
    )
    .join(' ');
}

type Found = { row: typeof certificateTable.$inferSelect; tenant: typeof tenantTable.$inferSelect; successorId: string | null };

const successor = alias(certificateTable, 'successor');

async function findCertificate(db: Db, id: string): Promise<Found | null> {
  const rows = await db
    .select({ row: certificateTable, tenant: tenantTable, successorId: successor.id })
    .from(certificateTable)
    .innerJoin(tenantTable, eq(tenantTable.id, certificateTable.tenantId))
    // "replaced" only when a replacing certificate exists, whatever reason text HR typed
    .leftJoin(successor, and(eq(successor.replacesId, certificateTable.id), eq(successor.tenantId, certificateTable.tenantId)))
    .where(eq(certificateTable.id, id))
    .limit(1);
  return rows[0] ?? null;
}

function publicView(found: Found, payload: CertificatePayload): PublicCertificate {
  const setting = readTenantSettings(found.tenant.settings).verificationHolder;
  const holder = setting === 'full' ? payload.holder.name : setting === 'initials' ? holderInitials(payload.holder.name) : null;
  return {
    id: payload.id,
    displayId: formatCertificateId(payload.id),
    kind: payload.kind,
    heading: certificateHeading(payload.kind),
    title: payload.achievement.title,
    courses: payload.achievement.courses.map((c) => ({ title: c.title, minutes: c.minutes })),
    topics: payload.achievement.topics,
    minutes: payload.achievement.minutes,
    issuer: payload.tenant.name,
    issuedAt: new Date(payload.issuedAt),
    expiresAt: payload.expiresAt ? new Date(payload.expiresAt) : null,
    revokedAt: found.row.revokedAt,
    replaced: found.row.revokedAt !== null && found.successorId !== null,
    holder,
    holderShown: setting,
  };
}

const NOT_FOUND: VerificationResult = { status: 'not-found' };
const notGenuine = (reason: string): VerificationResult => ({ status: 'not-genuine', reason });
const TAMPERED = 'Die Zertifikatsdaten stimmen nicht mit der Signatur des Landkreises überein.';

/** The stored record checked against its signature; the status follows from revocation and validity. */
function judge(found: Found, ring: KeyRing | null, now: Date): VerificationResult {
  const payload = storedPayload(found.row);
  const consistent =
    payload !== null &&
    ring !== null &&
    payload.tenant.slug === found.tenant.slug &&
    payload.keyId === found.row.keyId &&
    verifyPayload(payload, found.row.signature, ring);
  if (!consistent || !payload) return notGenuine(TAMPERED);
  const certificate = publicView(found, payload);
  if (found.row.revokedAt) return { status: 'revoked', certificate };
  if (certificate.expiresAt && certificate.expiresAt.getTime() <= now.getTime()) return { status: 'expired', certificate };
  return { status: 'genuine', certificate };
}

/**
 * Verifies a certificate by its id as typed, printed or in the verify URL. Unknown and malformed ids both give
 * `not-found` (after the same database lookup). `ip`: rate limit key (omit only outside the web).
 */
export async function verifyCertificateById(
  db: Db,
  { id, ip }: { id: string; ip?: string },
  config: CertificateConfig,
  now: Date = new Date(),
): Promise<VerificationResult> {
  await consumeVerifyQuota(db, ip);
  const found = await findCertificate(db, normalizeCertificateId(id.slice(0, 40)) ?? '-');
  if (!found) return NOT_FOUND;
  return judge(found, getTenantKeyRing(config.keyDir, found.tenant.slug, { create: false }), now);
}

/** Id named by an Open Badge credential (its id is the verify URL, ending in the certificate id). */
function credentialId(credential: { id: string }): string | null {
  return typeof credential.id === 'string' ? normalizeCertificateId(credential.id.split(/[/#?]/).filter(Boolean).at(-1) ?? '') : null;
}

/** The credential says exactly what the stored payload says (names, dates, achievement, issuer). */
function credentialMatches(c: KikoCredential, payload: CertificatePayload): boolean {
  return (
    c.validFrom === payload.issuedAt &&
    (c.validUntil ?? null) === payload.expiresAt &&
    c.issuer.name === payload.tenant.name &&
    c.credentialSubject.name === payload.holder.name &&
    c.credentialSubject.achievement.name === payload.achievement.title
  );
}

/**
 * Verifies an uploaded certificate file: a KIKO PDF (payload signature, whole-file seal and the record must
 * all match) or an Open Badges 3.0 credential (proof by a key of the district's ring, content equal to the
 * record). One changed byte gives `not-genuine`; the status of a genuine file follows the record.
 */
export async function verifyCertificateUpload(
  db: Db,
  { data, ip }: { data: Uint8Array; ip?: string },
  config: CertificateConfig,
  now: Date = new Date(),
): Promise<VerificationResult> {
  await consumeVerifyQuota(db, ip);
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const isPdf = bytes.subarray(0, 5).toString('latin1') === '%PDF-';
  let credential: KikoCredential | null = null;
  if (!isPdf) {
    // size, depth and the exact KIKO shape first: canonicalising odd input is what can take minutes
    const shape = checkCredentialShape(bytes);
    if (!shape.ok) return notGenuine(shape.reason);
    credential = shape.credential;
  }
  const extracted = isPdf ? extractCertificateFromPdf(bytes) : null;
  const id = isPdf ? (extracted?.id ?? null) : credential ? credentialId(credential) : null;
  if (!id) return notGenuine('Die Datei enthält keine gültigen KIKO-Zertifikatsdaten.');
  const found = await findCertificate(db, id);
  if (!found) return notGenuine('Zu dieser Datei ist bei KIKO kein Zertifikat verzeichnet.');
  const ring = getTenantKeyRing(config.keyDir, found.tenant.slug, { create: false });
  const record = judge(found, ring, now);
  if (record.status === 'not-genuine' || !ring) return record;
  const payload = storedPayload(found.row) as CertificatePayload;
  if (isPdf) {
    const sameData =
      !!extracted?.payload &&
      extracted.signature === found.row.signature &&
      canonicalPayload(extracted.payload).equals(canonicalPayload(payload)) &&
      verifyPayload(extracted.payload, extracted.signature, ring);
    if (!sameData || !verifyPdfSeal(bytes, ring)) return notGenuine('Die Datei wurde nach der Ausstellung verändert.');
    return record;
  }
  // the proof alone, at the time of issue; validity and revocation come from the record
  // equal content first (cheap), then the proof in a worker thread with a time budget (verify-in-worker.ts)
  if (!credential || !credentialMatches(credential, payload))
    return notGenuine('Der Nachweis wurde verändert oder nicht von diesem Landkreis ausgestellt.');
  const proof = await verifyOpenBadgeInWorker(credential, ring, { now: new Date(payload.issuedAt) });
  if ('refused' in proof) return notGenuine(proof.refused);
  if (!proof.verified) return notGenuine('Der Nachweis wurde verändert oder nicht von diesem Landkreis ausgestellt.');
  return record;
}
