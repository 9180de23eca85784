/**
 * Issues certificates inside the course-completion transaction (learning/complete-course.ts): the course
 * certificate with every completion, and the path certificate when the completion finishes the learner's
 * learning path. If signing fails (e.g. the key directory is not writable) the completion rolls back with it,
 * so no completion is ever stored without its certificate.
 */
import { eq } from 'drizzle-orm';
import { tenantTable } from '../../../../db/schema/index.ts';
import type { ContentSet } from '../content/load-content.ts';
import { type CompletionEvent, onCourseCompleted, type Tx } from '../learning/complete-course.ts';
import { certificateConfig } from './certificate-config.ts';
import { issueEarnedCertificates } from './issue-earned-certificates.ts';
import { requireTenantKeyRing } from './tenant-key-ring.ts';

let keyDir: string | null = null;

async function issueOnCompletion(tx: Tx, event: CompletionEvent, content: ContentSet): Promise<void> {
  const dir = keyDir ?? certificateConfig().keyDir;
  const [tenant] = await tx.select({ slug: tenantTable.slug }).from(tenantTable).where(eq(tenantTable.id, event.learner.tenantId));
  if (!tenant) return;
  await issueEarnedCertificates(tx, event.learner, content, requireTenantKeyRing(dir, tenant.slug), {
    courseIds: [event.courseId],
    actorId: event.learner.userId,
    now: event.completedAt,
  });
}

/**
 * Registers certificate issuing with every course completion of this process (idempotent). `keyDir`
 * overrides KIKO_KEY_DIR (tests, CLI); call it once at start-up of the server and of CLI commands that complete courses.
 */
export function registerCertificateIssuing(options: { keyDir?: string } = {}): void {
  if (options.keyDir) keyDir = options.keyDir;
  onCourseCompleted(issueOnCompletion);
}
