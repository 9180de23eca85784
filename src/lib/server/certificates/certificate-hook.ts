/**
 * Issues certificates inside the course-completion transaction: learning/complete-course.ts calls
 * `issueOnCompletion` directly for every way a course is completed (online, in person, recognised). If signing
 * fails (e.g. the key directory is not writable) the completion rolls back with it, so no completion is ever stored
 * without its certificate.
 */
import { eq } from 'drizzle-orm';
import { tenantTable } from '../../../../db/schema/index.ts';
import type { ContentSet } from '../content/load-content.ts';
import type { Tx } from '../evidence/record.ts';
import type { Learner } from '../learning/learner.ts';
import { certificateConfig } from './certificate-config.ts';
import { issueEarnedCertificates } from './issue-earned-certificates.ts';
import { requireTenantKeyRing } from './tenant-key-ring.ts';

let keyDir: string | null = null;

/** Sets the key directory certificates are signed with (tests, CLI); default KIKO_KEY_DIR. */
export function configureCertificateIssuing(options: { keyDir?: string } = {}): void {
  if (options.keyDir) keyDir = options.keyDir;
}

/** Issues the certificates the completion of `courseId` earned (course, and the path when it is now complete). */
export async function issueOnCompletion(
  tx: Tx,
  event: { learner: Learner; courseId: string; completedAt: Date; actorId: string | null },
  content: ContentSet,
): Promise<string[]> {
  const dir = keyDir ?? certificateConfig().keyDir;
  const [tenant] = await tx.select({ slug: tenantTable.slug }).from(tenantTable).where(eq(tenantTable.id, event.learner.tenantId));
  if (!tenant) return [];
  return issueEarnedCertificates(tx, event.learner, content, requireTenantKeyRing(dir, tenant.slug), {
    courseIds: [event.courseId],
    actorId: event.actorId,
    now: event.completedAt,
  });
}
