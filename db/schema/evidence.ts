/**
 * The learning record: every evidence fact about a person (or an org unit) is written once and never updated or
 * deleted (database triggers refuse both). Each fact carries two times: when it took effect (`effective_at`) and when
 * KIKO recorded it (`recorded_at`), so "as of T, as recorded by R" is a plain query. The current-state tables
 * (lesson_progress, quiz_attempts, course_completions, path_assignments, users, user_roles) are projections of it.
 * Decision record: docs/decisions/007-evidence-core.md.
 */
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { tenantTable } from './tenants.ts';

/** Kinds of facts in the learning record. */
export const learningEventTypes = [
  /** the district's record begins (migration snapshot or a new district); earlier dates have no evidence */
  'record.started',
  /** first visit of a lesson (subject course, ref lesson, version) */
  'lesson.started',
  /** lesson marked done (subject course, ref lesson, version of the lesson that was read) */
  'lesson.completed',
  /** quiz attempt started (subject quiz, ref attempt, version; data.courseId) */
  'quiz.started',
  /** one answer (subject quiz, ref attempt, version; data.itemId and data.response in authored ids, data.score) */
  'quiz.response',
  /** attempt submitted (subject quiz, ref attempt, version; data.score, data.max, data.passed) */
  'quiz.submitted',
  /** course completed (subject course, ref completion id, version, how; data.quizAttemptId, data.reason) */
  'course.completed',
  /** certificate issued (subject achievement, ref certificate id; data.kind, data.expiresAt) */
  'certificate.issued',
  /** certificate revoked (ref certificate id; data.reason) */
  'certificate.revoked',
  /** learning path assigned to a person (user_id) or an org unit (org_unit_id); ref assignment id, subject path */
  'path.assigned',
  /** assignment ended (ref assignment id) */
  'path.unassigned',
  /** the person's org unit, job role and account status from effective_at on (data.orgUnitId, data.jobRole, data.status) */
  'membership.changed',
  /** the person's role grants from effective_at on (data.grants: [{ role, scopeOrgUnitId }]) */
  'roles.changed',
  /** attended an in-person session (ref session id, effective at the session's start; data.kind, data.minutes, data.courseId, data.lessonId, data.cohortId) */
  'session.attended',
  /** the person's personal data was erased (pseudonymised); their facts stay for aggregate evidence */
  'person.erased',
] as const;
export type LearningEventType = (typeof learningEventTypes)[number];

/** How a course was completed. */
export const completionWays = ['online', 'in-person', 'recognised'] as const;
export type CompletionWay = (typeof completionWays)[number];

export const learningEventTable = sqliteTable(
  'learning_events',
  {
    /** Order of recording (global); ties of effective_at are broken by it. */
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    /** Person the fact is about (null for org-unit facts and record.started). Same tenant (trigger-checked). */
    userId: text('user_id'),
    /** Org unit of an org-unit fact (path assigned to a unit). Same tenant (trigger-checked). */
    orgUnitId: text('org_unit_id'),
    type: text('type', { enum: learningEventTypes }).notNull(),
    /** Course, lesson's course, quiz, path or achievement id. */
    subject: text('subject'),
    /** Lesson id, attempt id, completion id, certificate id or assignment id. */
    ref: text('ref'),
    /** Content version (hash of the source) of what was learned. */
    version: text('version'),
    /** How a completion came about (online, in-person, recognised); null for other facts. */
    how: text('how', { enum: completionWays }),
    /** Further fields of the fact (see learningEventTypes). */
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** When the fact took effect (attendance: the session's date; an import: the date of the move). */
    effectiveAt: integer('effective_at', { mode: 'timestamp_ms' }).notNull(),
    /** When KIKO recorded it. */
    recordedAt: integer('recorded_at', { mode: 'timestamp_ms' }).notNull(),
    /** Who recorded it (person id, or "operator:…"/"system:…" for the CLI). */
    actorId: text('actor_id'),
    /** Makes a write idempotent: a double submit or a retried import writes the fact once. */
    idemKey: text('idem_key'),
  },
  (t) => [
    // double submits and retries: one fact per key and tenant
    uniqueIndex('learning_events_idem_idx').on(t.tenantId, t.idemKey),
    // one person's record (/verlauf, the learner pages' status, bulk status by person)
    index('learning_events_person_idx').on(t.tenantId, t.userId, t.effectiveAt),
    // bulk status and dashboards: facts of one type in a tenant (memberships, assignments, completions) up to T, in person
    // and subject order (the latest per person needs no sort), and the same for a cohort's people
    index('learning_events_type_idx').on(t.tenantId, t.type, t.userId, t.subject, t.effectiveAt),
  ],
);

/**
 * Every lesson, quiz, course and learning-path version KIKO has served, kept so evidence for a past date says what was
 * learned and quiz items can be grouped across versions. `archived` is false for versions that were only referenced
 * by facts recorded before archiving began ("nicht archiviert").
 */
export const contentVersionTable = sqliteTable(
  'content_versions',
  {
    kind: text('kind', { enum: ['course', 'lesson', 'quiz', 'path'] }).notNull(),
    /** Course id, "course/lesson", quiz id or path id. */
    contentId: text('content_id').notNull(),
    version: text('version').notNull(),
    title: text('title').notNull(),
    /** Lessons: objectives, minutes; quizzes: items with texts, options and keys; paths: the rules; courses: lessons. */
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    archived: integer('archived', { mode: 'boolean' }).notNull(),
    /** First time this version was served: from here on it is the valid version (until the next one). */
    firstServedAt: integer('first_served_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.contentId, t.version] }),
    // "which version was valid at T": versions of one item by time
    index('content_versions_served_idx').on(t.kind, t.contentId, t.firstServedAt),
  ],
);

/**
 * Stored month-end coverage of a district (HR's 24-month trend): the one status rule's figures as of the end of a past
 * month, recorded by `recorded_by`, counted per org unit and job role so that any subtree, scope and filter can sum
 * them. Not evidence but a cache of a pure function of the record: appending a backdated fact deletes the months it
 * reaches (evidence/record.ts), so a stored month always equals computing it again with a later cut-off.
 */
export const coverageMonthTable = sqliteTable(
  'coverage_months',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    /** End of the month (23:59:59 Europe/Berlin, to the minute), the "as of" of the figures. */
    monthEnd: integer('month_end', { mode: 'timestamp_ms' }).notNull(),
    /** The recording cut-off the figures were computed with (the time they were stored). */
    recordedBy: integer('recorded_by', { mode: 'timestamp_ms' }).notNull(),
    /** `[orgUnitId | null, jobRole, active, withPath, covered, overdue, notDue, noPath, refresherDue][]` */
    groups: text('groups', { mode: 'json' }).notNull(),
  },
  // one row per district and month; the trend reads a district's months in one range query
  (t) => [primaryKey({ columns: [t.tenantId, t.monthEnd] })],
);
