/**
 * Learning activity between bench rounds, written by KIKO's own verb (`visitLesson`): random people of a district
 * open random lessons until `count` first visits (facts) were appended, so a stored status result has facts to take
 * up. Returns how many facts were appended.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { userTable } from '../../db/schema/index.ts';
import type { ContentSet } from '../../src/lib/server/content/load-content.ts';
import { personContext } from '../../src/lib/server/context.ts';
import { visitLesson } from '../../src/lib/server/learning/lesson-progress.ts';
import { getAuthUser } from '../../src/lib/server/users/get-auth-user.ts';

export async function newLearningFacts(
  db: Db,
  content: ContentSet,
  tenantId: string,
  count: number,
  pool?: readonly string[],
): Promise<number> {
  const ids = pool ?? (await db.select({ id: userTable.id }).from(userTable).where(eq(userTable.tenantId, tenantId))).map((r) => r.id);
  const lessons = [...content.courses.values()].flatMap((c) => c.lessons.map((l) => [c.course.id, l.id] as const));
  const seq = async () => Number((await db.all<{ s: number }>(sql`SELECT max(seq) AS s FROM learning_events`))[0]?.s ?? 0);
  const before = await seq();
  for (let tries = 0; tries < count * 20 && (await seq()) - before < count; tries++) {
    const user = await getAuthUser(db, ids[Math.floor(Math.random() * ids.length)] as string);
    const [courseId, lessonId] = lessons[Math.floor(Math.random() * lessons.length)] as readonly [string, string];
    if (user) await visitLesson(personContext(db, user, content), courseId, lessonId);
  }
  return (await seq()) - before;
}
