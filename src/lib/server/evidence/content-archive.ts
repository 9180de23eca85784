/**
 * Keeps every served lesson, quiz, course and path version (db content_versions) so evidence for a past date says
 * what was learned, quiz items can be grouped across versions, and the status rule reads the path rules valid at T.
 * `archiveContent` runs when a process loads its curriculum; a version is valid from the first time it was served.
 */
import { createHash } from 'node:crypto';
import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { contentVersionTable } from '../../../../db/schema/index.ts';
import type { LearningPath } from '../../shared/content-schema.ts';
import type { ContentSet } from '../content/load-content.ts';
import type { PathRules } from './course-status.ts';

/** Version of a learning path: hash of its rules (paths have no source file version of their own). */
export function pathVersion(path: LearningPath): string {
  const rules = {
    required: path.required,
    optional: path.optional,
    dueDays: path.dueDays,
    refresherMonths: path.refresherMonths,
    jobRoles: path.jobRoles,
    // only when on: the versions of paths without it stay what they were
    ...(path.inPersonCompletion ? { inPersonCompletion: true } : {}),
  };
  return createHash('sha256').update(JSON.stringify(rules)).digest('hex').slice(0, 16);
}

export function pathRulesOf(path: LearningPath): PathRules {
  return {
    id: path.id,
    version: pathVersion(path),
    title: path.title,
    required: path.required,
    optional: path.optional,
    dueDays: path.dueDays,
    refresherMonths: path.refresherMonths,
  };
}

type VersionRow = typeof contentVersionTable.$inferInsert;

function versionRows(content: ContentSet, now: Date): VersionRow[] {
  const rows: VersionRow[] = [];
  for (const c of content.courses.values()) {
    rows.push({
      kind: 'course',
      contentId: c.course.id,
      version: c.version,
      title: c.course.title,
      data: { lessons: c.lessons.map((l) => ({ id: l.id, version: l.version })), quiz: c.course.quiz ?? null, topics: c.course.topics },
      archived: true,
      firstServedAt: now,
    });
    for (const l of c.lessons)
      rows.push({
        kind: 'lesson',
        contentId: `${c.course.id}/${l.id}`,
        version: l.version,
        title: l.frontmatter.title,
        data: { objectives: l.frontmatter.objectives, minutes: l.frontmatter.minutes, reviewed: l.frontmatter.reviewed },
        archived: true,
        firstServedAt: now,
      });
  }
  for (const q of content.quizzes.values())
    rows.push({
      kind: 'quiz',
      contentId: q.quiz.id,
      version: q.version,
      title: q.quiz.title,
      data: { quiz: q.quiz },
      archived: true,
      firstServedAt: now,
    });
  for (const p of content.paths.values()) {
    const rules = pathRulesOf(p);
    rows.push({
      kind: 'path',
      contentId: p.id,
      version: rules.version as string,
      title: p.title,
      data: { ...rules, jobRoles: p.jobRoles },
      archived: true,
      firstServedAt: now,
    });
  }
  return rows;
}

const archivedSets = new WeakMap<ContentSet, Set<Db>>();

/** Stores the versions of `content` not archived yet (idempotent; once per process and database). */
export async function archiveContent(db: Db, content: ContentSet, now = new Date()): Promise<number> {
  const seen = archivedSets.get(content) ?? new Set<Db>();
  if (seen.has(db)) return 0;
  const rows = versionRows(content, now);
  let added = 0;
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200);
    // a version first archived as "nicht archiviert" (seen only in old facts) is completed when it is served again
    for (const r of chunk)
      await db
        .update(contentVersionTable)
        .set({ title: r.title, data: r.data, archived: true })
        .where(
          and(
            eq(contentVersionTable.kind, r.kind),
            eq(contentVersionTable.contentId, r.contentId),
            eq(contentVersionTable.version, r.version),
            eq(contentVersionTable.archived, false),
          ),
        );
    const inserted = await db.insert(contentVersionTable).values(chunk).onConflictDoNothing().returning({ v: contentVersionTable.version });
    added += inserted.length;
  }
  seen.add(db);
  archivedSets.set(content, seen);
  return added;
}

/** The rules of every path as valid at `asOf` (the latest version first served by then; today's file otherwise). */
export async function pathRulesAt(db: Db, content: ContentSet, asOf: Date): Promise<Map<string, PathRules>> {
  const rows = await db
    .select()
    .from(contentVersionTable)
    .where(and(eq(contentVersionTable.kind, 'path'), lte(contentVersionTable.firstServedAt, asOf)))
    .orderBy(asc(contentVersionTable.firstServedAt));
  const rules = new Map<string, PathRules>();
  for (const r of rows) if (r.archived) rules.set(r.contentId, { ...(r.data as unknown as PathRules), version: r.version, title: r.title });
  for (const p of content.paths.values()) if (!rules.has(p.id)) rules.set(p.id, pathRulesOf(p));
  return rules;
}

/** Title and archive state of content versions referenced by evidence (for /verlauf and exports). */
export async function describeVersions(
  db: Db,
  kind: 'course' | 'lesson' | 'quiz',
  ids: readonly string[],
): Promise<Map<string, { title: string; archived: boolean }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({
      id: contentVersionTable.contentId,
      v: contentVersionTable.version,
      title: contentVersionTable.title,
      archived: contentVersionTable.archived,
    })
    .from(contentVersionTable)
    .where(and(eq(contentVersionTable.kind, kind), inArray(contentVersionTable.contentId, [...new Set(ids)])));
  return new Map(rows.map((r) => [`${r.id}@${r.v}`, { title: r.title, archived: r.archived }]));
}
