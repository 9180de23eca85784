/**
 * Issues the certificates a learner has earned and does not have yet — the one rule behind issuing on
 * completion (certificate-hook.ts) and the batch (`kiko certificates issue`):
 *
 * - a course certificate for the latest completion of each course, issued at the completion time and valid
 *   for the course's refresher interval;
 * - a path certificate once every required course of the learner's learning path is completed and none is due
 *   for a refresher, issued at the last of those completions and valid until the first course needs a refresher.
 *
 * "Has one" means: a certificate of that kind and achievement issued at or after the completion — revoked and
 * reissued ones count, so HR's revocations are never undone by a rerun. Issue times come from the completions,
 * so the unique index (person, kind, achievement, issued at) makes reruns and races harmless.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { certificateTable, courseCompletionTable, tenantTable, userTable } from '../../../../db/schema/index.ts';
import type { ContentSet } from '../content/load-content.ts';
import { pathRulesOf } from '../evidence/content-archive.ts';
import { expiryOf, refresherMonths } from '../evidence/course-status.ts';
import type { Learner } from '../learning/learner.ts';
import { resolvePath } from '../learning/resolve-path.ts';
import { courseAchievement, pathAchievement } from './certificate-achievements.ts';
import { type CertificateWriter, issueCertificate } from './issue-certificate.ts';
import type { KeyRing } from './signing-keys.ts';

/** Options of issueEarnedCertificates. */
export interface IssueEarnedOptions {
  /** Only these courses (and the path, if one of them is required in it); default: every completed course. */
  courseIds?: string[];
  /** Who caused the issue: the learner on completion, the batch's actor (e.g. "system:kiko-cli"). */
  actorId?: string | null;
  now?: Date;
}

/** Returns the ids of the certificates issued now (empty when the learner had everything already). */
export async function issueEarnedCertificates(
  tx: CertificateWriter,
  learner: Learner,
  content: ContentSet,
  ring: KeyRing,
  { courseIds, actorId = null, now = new Date() }: IssueEarnedOptions = {},
): Promise<string[]> {
  const [tenant] = await tx
    .select({ id: tenantTable.id, slug: tenantTable.slug, name: tenantTable.name })
    .from(tenantTable)
    .where(eq(tenantTable.id, learner.tenantId));
  const [user] = await tx
    .select({ name: userTable.name })
    .from(userTable)
    .where(and(eq(userTable.id, learner.userId), eq(userTable.tenantId, learner.tenantId)));
  if (!tenant || !user) return [];
  const completions = await tx
    .select({
      courseId: courseCompletionTable.courseId,
      version: courseCompletionTable.courseVersion,
      completedAt: courseCompletionTable.completedAt,
    })
    .from(courseCompletionTable)
    .where(and(eq(courseCompletionTable.tenantId, learner.tenantId), eq(courseCompletionTable.userId, learner.userId)))
    .orderBy(desc(courseCompletionTable.completedAt));
  const latest = new Map<string, { version: string; completedAt: Date }>();
  for (const c of completions) if (!latest.has(c.courseId)) latest.set(c.courseId, c);
  const certificates = await tx
    .select({ kind: certificateTable.kind, achievementId: certificateTable.achievementId, issuedAt: certificateTable.issuedAt })
    .from(certificateTable)
    .where(and(eq(certificateTable.tenantId, learner.tenantId), eq(certificateTable.userId, learner.userId)));
  const hasSince = (kind: 'course' | 'path', achievementId: string, since: Date): boolean =>
    certificates.some((c) => c.kind === kind && c.achievementId === achievementId && c.issuedAt.getTime() >= since.getTime());

  const issued: string[] = [];
  const base = { tenant, holder: { userId: learner.userId, name: user.name }, actorId, now };
  const assigned = await resolvePath(tx as unknown as Db, learner, content);
  const path = assigned?.path;
  const personRules = path ? pathRulesOf(path) : null;
  const allRules = [...content.paths.values()].map(pathRulesOf);
  for (const courseId of courseIds ?? [...latest.keys()]) {
    const completion = latest.get(courseId);
    if (!completion || hasSince('course', courseId, completion.completedAt)) continue;
    const achievement = courseAchievement(content, courseId, completion.version);
    if (!achievement) continue;
    // the one refresher rule (evidence/course-status.ts): the same date the learner sees on "Mein Lernpfad"
    const expiresAt = expiryOf(completion.completedAt, refresherMonths(personRules, courseId, allRules));
    const r = await issueCertificate(tx, { ...base, kind: 'course', achievement, issuedAt: completion.completedAt, expiresAt }, ring);
    if (r.created) issued.push(r.id);
  }

  if (!path || (courseIds && !courseIds.some((id) => path.required.includes(id)))) return issued;
  const required = path.required.map((id) => latest.get(id));
  if (required.some((c) => !c || expiryOf(c.completedAt, path.refresherMonths) <= now)) return issued;
  const done = required as Array<{ version: string; completedAt: Date }>;
  const completedAt = new Date(Math.max(...done.map((c) => c.completedAt.getTime())));
  if (hasSince('path', path.id, completedAt)) return issued;
  const achievement = pathAchievement(content, path, new Map(path.required.map((id, i) => [id, done[i]?.version ?? ''])));
  if (!achievement) return issued;
  const expiresAt = expiryOf(new Date(Math.min(...done.map((c) => c.completedAt.getTime()))), path.refresherMonths);
  const r = await issueCertificate(tx, { ...base, kind: 'path', achievement, issuedAt: completedAt, expiresAt }, ring);
  if (r.created) issued.push(r.id);
  return issued;
}
