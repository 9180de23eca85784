/** Learning records: path assignments, lesson progress, quiz attempts and responses, course completions. */
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { orgUnitTable, tenantTable } from './tenants.ts';
import { userTable } from './users.ts';

/**
 * An explicit learning-path assignment that overrides the job-role default, either for one person
 * or for a whole org unit (person wins over org unit, org unit over job role).
 */
export const pathAssignmentTable = sqliteTable(
  'path_assignments',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    userId: text('user_id').references(() => userTable.id, { onDelete: 'cascade' }),
    orgUnitId: text('org_unit_id').references(() => orgUnitTable.id, { onDelete: 'cascade' }),
    pathId: text('path_id').notNull(),
    /** Explicit due date; null = the path's dueDays after assignment. */
    dueAt: integer('due_at', { mode: 'timestamp_ms' }),
    assignedBy: text('assigned_by'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    // "which path does this person have": lookups by user and by org unit within a tenant
    uniqueIndex('path_assignments_user_idx').on(t.tenantId, t.userId, t.orgUnitId),
    index('path_assignments_org_idx').on(t.tenantId, t.orgUnitId),
  ],
);

export const lessonProgressTable = sqliteTable(
  'lesson_progress',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    userId: text('user_id')
      .notNull()
      .references(() => userTable.id, { onDelete: 'cascade' }),
    courseId: text('course_id').notNull(),
    lessonId: text('lesson_id').notNull(),
    /** Content version of the lesson that was read. */
    lessonVersion: text('lesson_version').notNull(),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    completedAt: integer('completed_at', { mode: 'timestamp_ms' }),
    /** When the first completion was recorded (null: together with completedAt); attendance is recorded after the session. */
    completedRecordedAt: integer('completed_recorded_at', { mode: 'timestamp_ms' }),
    /** Last visit, for "continue where you left off". */
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.courseId, t.lessonId] }),
    // dashboards: progress of a tenant per course
    index('lesson_progress_tenant_course_idx').on(t.tenantId, t.courseId),
    // one learner's progress in a course (Mein Lernpfad, lesson page), and the status as of T in bulk
    // (evidence/status-as-of.ts): first start and first completion per person, course and lesson, read in person order
    // from the index alone. Leads with tenant and user so per-person queries prefer it to the dashboard index.
    index('lesson_progress_asof_idx').on(t.tenantId, t.userId, t.courseId, t.startedAt, t.completedAt, t.completedRecordedAt),
  ],
);

/**
 * Lessons per person and course, a projection of lesson_progress kept by database triggers in the same statement
 * that writes a lesson_progress row (migration 0018), so no write path can miss it: how many of the course's lessons
 * the person started or completed, and how many completed. The status now of a cohort reads one row per person and
 * course from it instead of counting lesson rows (evidence/status-as-of.ts); rebuild-projections.ts derives it from
 * the learning record for comparison.
 */
export const courseProgressTable = sqliteTable(
  'course_progress',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    userId: text('user_id')
      .notNull()
      .references(() => userTable.id, { onDelete: 'cascade' }),
    courseId: text('course_id').notNull(),
    /** lesson_progress rows of the person and course (lessons started or completed). */
    lessons: integer('lessons').notNull(),
    /** Of those, lessons completed. */
    lessonsDone: integer('lessons_done').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId, t.courseId] }),
    // the status of a cohort now: person, course and count from the index alone
    index('course_progress_status_idx').on(t.tenantId, t.userId, t.courseId, t.lessonsDone),
  ],
);

export const quizAttemptTable = sqliteTable(
  'quiz_attempts',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    userId: text('user_id')
      .notNull()
      .references(() => userTable.id, { onDelete: 'cascade' }),
    quizId: text('quiz_id').notNull(),
    courseId: text('course_id').notNull(),
    quizVersion: text('quiz_version').notNull(),
    /** Seed the item draw and option order are derived from; with the layout, makes grading reproducible. */
    seed: text('seed').notNull(),
    /** JSON AttemptLayout: drawn item ids and option orders. */
    layout: text('layout', { mode: 'json' }).notNull(),
    status: text('status', { enum: ['open', 'submitted'] })
      .notNull()
      .default('open'),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    submittedAt: integer('submitted_at', { mode: 'timestamp_ms' }),
    score: real('score'),
    maxScore: real('max_score'),
    passed: integer('passed', { mode: 'boolean' }),
    durationMs: integer('duration_ms'),
  },
  (t) => [
    // a learner's attempts at one quiz (open attempt, attempt limit, best attempt, history); with status and result,
    // the status now of a cohort reads its people's attempts from the index alone (evidence/status-as-of.ts)
    index('quiz_attempts_user_quiz_idx').on(t.tenantId, t.userId, t.quizId, t.startedAt, t.status, t.passed, t.score, t.maxScore),
    // dashboards: attempts of a tenant per quiz
    index('quiz_attempts_tenant_quiz_idx').on(t.tenantId, t.quizId),
    // foreign-key checks when a user is deleted (ON DELETE CASCADE)
    index('quiz_attempts_user_idx').on(t.userId),
  ],
);

export const quizResponseTable = sqliteTable(
  'quiz_responses',
  {
    attemptId: text('attempt_id')
      .notNull()
      .references(() => quizAttemptTable.id, { onDelete: 'cascade' }),
    /** Tenant of the attempt (trigger-checked). */
    tenantId: text('tenant_id'),
    itemId: text('item_id').notNull(),
    /** JSON of the learner's response (validated ItemResponse). */
    response: text('response', { mode: 'json' }).notNull(),
    score: real('score').notNull(),
    answeredAt: integer('answered_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.attemptId, t.itemId] })],
);

export const courseCompletionTable = sqliteTable(
  'course_completions',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    userId: text('user_id')
      .notNull()
      .references(() => userTable.id, { onDelete: 'cascade' }),
    courseId: text('course_id').notNull(),
    /** Content version of the course at completion (what was learned). */
    courseVersion: text('course_version').notNull(),
    quizAttemptId: text('quiz_attempt_id').references(() => quizAttemptTable.id),
    /** How the course was completed: online, in person or recognised (external training). */
    how: text('how', { enum: ['online', 'in-person', 'recognised'] })
      .notNull()
      .default('online'),
    completedAt: integer('completed_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    // a learner's completions of a course, newest first (path progress, refresher due); with version and way, the
    // status now of a cohort reads its people's completions from the index alone
    index('course_completions_user_course_idx').on(t.tenantId, t.userId, t.courseId, t.completedAt, t.courseVersion, t.how),
    // coverage by tenant and course
    index('course_completions_tenant_course_idx').on(t.tenantId, t.courseId),
    // foreign-key checks when a user or an attempt is deleted
    index('course_completions_user_idx').on(t.userId),
    index('course_completions_attempt_idx').on(t.quizAttemptId),
  ],
);
