/**
 * A short, real history for the demo district, written through the same verbs as every change (facts, projections,
 * audit): a move between org units, a path assignment that was replaced and one that ended, and a lesson learned in
 * an earlier content version that has changed since. Written once, in one transaction (seed-demo.ts).
 */
import type { Db } from '../../../../db/client.ts';
import type { ContentSet, LoadedCourse } from '../content/load-content.ts';
import { personContext } from '../context.ts';
import { archiveContent } from '../evidence/content-archive.ts';
import { assignPath, removePathAssignment } from '../learning/assign-path.ts';
import { completeLesson } from '../learning/lesson-progress.ts';
import { changeMembership } from '../users/change-membership.ts';
import type { AuthUser } from '../users/get-auth-user.ts';

const DAY = 86_400_000;

/** The curriculum as it was before `courseId`'s first lesson was revised (same texts, an older version id). */
function earlierContent(content: ContentSet, courseId: string): ContentSet {
  const course = content.courses.get(courseId) as LoadedCourse;
  const [first, ...rest] = course.lessons;
  if (!first) return content;
  const older: LoadedCourse = {
    ...course,
    version: `${course.version}-2026-01`,
    lessons: [{ ...first, version: `${first.version}-2026-01` }, ...rest],
  };
  return { ...content, courses: new Map([...content.courses, [courseId, older]]) };
}

export async function seedDemoHistory(
  db: Db,
  content: ContentSet,
  people: { tenantId: string; admin: AuthUser; mover: AuthUser; earlyLearner: AuthUser; units: Map<string, string> },
  now: Date,
): Promise<void> {
  const ago = (days: number) => new Date(now.getTime() - days * DAY);
  const admin = (days: number) => personContext(db, people.admin, content, () => ago(days));
  // the job-role paths were assigned by org unit a year ago; Fachbereich 3 got its own path, replaced in spring
  const fb3 = people.units.get('FB3');
  const fb2 = people.units.get('FB2');
  if (fb3) await assignPath(admin(365), { pathId: 'sachbearbeitung', orgUnitId: fb3 });
  if (fb2) {
    const { id } = await assignPath(admin(300), { pathId: 'fuehrungskraft', orgUnitId: fb2 });
    await removePathAssignment(admin(120), id);
  }
  // Jonas moved from the Sozialamt to the Jugendamt half a year ago (entered by HR a week later)
  const ja = people.units.get('FB2-JA');
  if (ja)
    await changeMembership(
      personContext(db, people.admin, content, () => ago(173)),
      { userId: people.mover.id, orgUnitId: ja, effectiveAt: ago(180) },
    );
  // a lesson read in January in a version that has changed since
  const before = earlierContent(content, 'ki-kompetenz-basis');
  await archiveContent(db, before, ago(340));
  const lesson = before.courses.get('ki-kompetenz-basis')?.lessons[0];
  if (lesson)
    await completeLesson(
      personContext(db, people.earlyLearner, before, () => ago(330)),
      'ki-kompetenz-basis',
      lesson.id,
    );
}
