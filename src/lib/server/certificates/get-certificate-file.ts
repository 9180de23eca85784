/**
 * Downloads of the learner's own certificate: PDF (A4, tagged, sealed — see pdf-seal.ts), PNG, or Open Badges 3.0
 * credential (JSON-LD). Files are rendered from the stored signed payload on every download; the stored signature
 * is checked first, so a damaged or edited database row is never handed out as a certificate.
 * Someone else's id, a tampered id and a malformed id are all "not found".
 */
import { and, eq } from 'drizzle-orm';
import { certificateTable, tenantTable } from '../../../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import { ConflictError, NotFoundError } from '../errors/domain-errors.ts';
import { authorizeLearner } from '../learning/learner.ts';
import { type CertificateConfig, publicBase, verifyUrlFor } from './certificate-config.ts';
import { normalizeCertificateId } from './certificate-payload.ts';
import { brandOf, storedPayload } from './certificate-records.ts';
import type { CertificateView } from './certificate-view.ts';
import { issueOpenBadge } from './open-badge.ts';
import { sealCertificatePdf } from './pdf-seal.ts';
import { renderCertificatePdf } from './render-pdf.ts';
import { renderCertificatePng } from './render-png.ts';
import { verifyPayload } from './signing-keys.ts';
import { getTenantKeyRing } from './tenant-key-ring.ts';

/** Download formats. */
export const CERTIFICATE_FORMATS = ['pdf', 'png', 'json'] as const;
export type CertificateFormat = (typeof CERTIFICATE_FORMATS)[number];

/** A rendered download. */
export interface CertificateFile {
  body: Buffer;
  contentType: string;
  filename: string;
}

const CONTENT_TYPES: Record<CertificateFormat, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  // an Open Badges 3.0 credential is a JSON-LD document
  json: 'application/ld+json; charset=utf-8',
};

/**
 * Returns the file of one of the actor's own certificates. Throws NotFoundError for unknown, malformed and other
 * people's ids, ConflictError for revoked certificates, ForbiddenError without `learning.own`.
 */
export async function getOwnCertificateFile(
  ctx: Ctx,
  input: { id: string; format: CertificateFormat },
  config: CertificateConfig,
): Promise<CertificateFile> {
  const learner = await authorizeLearner(ctx);
  const { db } = ctx;
  const id = normalizeCertificateId(input.id) ?? '';
  const rows = await db
    .select({ certificate: certificateTable, tenant: tenantTable })
    .from(certificateTable)
    .innerJoin(tenantTable, eq(tenantTable.id, certificateTable.tenantId))
    .where(and(eq(certificateTable.id, id), eq(certificateTable.tenantId, learner.tenantId), eq(certificateTable.userId, learner.userId)))
    .limit(1);
  const row = rows[0];
  if (!row) throw new NotFoundError('Dieses Zertifikat gibt es nicht.');
  const { certificate, tenant } = row;
  if (certificate.revokedAt) {
    const [successor] = await db
      .select({ id: certificateTable.id })
      .from(certificateTable)
      .where(and(eq(certificateTable.tenantId, learner.tenantId), eq(certificateTable.replacesId, id)))
      .limit(1);
    throw new ConflictError(
      successor
        ? 'Dieses Zertifikat wurde durch ein neues ersetzt. Bitte laden Sie das neue Zertifikat herunter.'
        : 'Dieses Zertifikat wurde widerrufen und kann nicht mehr heruntergeladen werden.',
    );
  }
  const payload = storedPayload(certificate);
  const ring = getTenantKeyRing(config.keyDir, tenant.slug, { create: false });
  if (!payload || !ring || !verifyPayload(payload, certificate.signature, ring)) {
    throw new ConflictError('Dieses Zertifikat lässt sich nicht prüfen. Bitte wenden Sie sich an die Personalabteilung.');
  }
  const base = publicBase(config);
  const view: CertificateView = { payload, signature: certificate.signature, verifyUrl: verifyUrlFor(base, id), brand: brandOf(tenant) };
  const filename = `Zertifikat-${id}.${input.format}`;
  switch (input.format) {
    case 'pdf':
      return { body: sealCertificatePdf(await renderCertificatePdf(view), ring), contentType: CONTENT_TYPES.pdf, filename };
    case 'png':
      return { body: await renderCertificatePng(view), contentType: CONTENT_TYPES.png, filename };
    case 'json': {
      const credential = await issueOpenBadge(payload, ring, {
        issuerUrl: base,
        verifyUrl: view.verifyUrl,
        holderEmail: ctx.actor.kind === 'person' ? ctx.actor.user.email : '',
      });
      return { body: Buffer.from(`${JSON.stringify(credential, null, 2)}\n`, 'utf8'), contentType: CONTENT_TYPES.json, filename };
    }
  }
}
