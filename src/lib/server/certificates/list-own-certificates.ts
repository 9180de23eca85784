/** "Meine Zertifikate": the signed-in learner's certificates, newest first, with their status. */
import { and, desc, eq } from 'drizzle-orm';
import { certificateTable } from '../../../../db/schema/index.ts';
import type { Ctx } from '../context.ts';
import { authorizeLearner } from '../learning/learner.ts';
import { formatCertificateId } from './certificate-payload.ts';
import { type CertificateStatus, certificateStatus, storedPayload } from './certificate-records.ts';
import { certificateHeading } from './certificate-texts.ts';

/** One certificate as the learner's list shows it. */
export interface OwnCertificate {
  id: string;
  /** Id in print form (`ABCDE-FGHJK`). */
  displayId: string;
  kind: 'course' | 'path';
  /** "Teilnahmebescheinigung" or "Zertifikat KI-Kompetenz". */
  heading: string;
  title: string;
  minutes: number;
  topics: string[];
  issuedAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  status: CertificateStatus;
  /** Id of the certificate that replaced this one (reissue), if any. */
  replacedBy: string | null;
}

/** Returns the learner's certificates (throws ForbiddenError for actors without `learning.own`, e.g. the operator). */
export async function listOwnCertificates(ctx: Ctx): Promise<OwnCertificate[]> {
  const learner = await authorizeLearner(ctx);
  const now = ctx.clock();
  const rows = await ctx.db
    .select()
    .from(certificateTable)
    .where(and(eq(certificateTable.tenantId, learner.tenantId), eq(certificateTable.userId, learner.userId)))
    .orderBy(desc(certificateTable.issuedAt));
  const replacedBy = new Map(rows.filter((r) => r.replacesId).map((r) => [r.replacesId as string, r.id]));
  return rows.flatMap((row) => {
    const payload = storedPayload(row);
    if (!payload) return [];
    return [
      {
        id: row.id,
        displayId: formatCertificateId(row.id),
        kind: row.kind,
        heading: certificateHeading(row.kind),
        title: payload.achievement.title,
        minutes: payload.achievement.minutes,
        topics: payload.achievement.topics,
        issuedAt: row.issuedAt,
        expiresAt: row.expiresAt,
        revokedAt: row.revokedAt,
        status: certificateStatus(row, now),
        replacedBy: replacedBy.get(row.id) ?? null,
      },
    ];
  });
}
