/**
 * In-person sessions of the multiplier programme (Präsenzschulung, Workshop, Sprechstunde): planned by a cohort's
 * multipliers, with invitations to colleagues of the cohort. Attendance is not stored here: it is evidence, a
 * `session.attended` fact in the learning record (db/schema/evidence.ts). Decision record: docs/decisions/017-in-person-sessions.md.
 */
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { cohortTable } from './cohorts.ts';
import { tenantTable } from './tenants.ts';

/** Kinds of session. */
export const sessionKinds = ['praesenz', 'workshop', 'sprechstunde'] as const;
export type SessionKind = (typeof sessionKinds)[number];

export const trainingSessionTable = sqliteTable(
  'training_sessions',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    /** The cohort whose colleagues it is for (same tenant, trigger-checked). */
    cohortId: text('cohort_id')
      .notNull()
      .references(() => cohortTable.id),
    kind: text('kind', { enum: sessionKinds }).notNull(),
    /** Topic as shown to the invited. */
    topic: text('topic').notNull(),
    /** Course of the curriculum the session teaches (optional). */
    courseId: text('course_id'),
    /** Lesson of that course the session teaches (optional; needs courseId). */
    lessonId: text('lesson_id'),
    startsAt: integer('starts_at', { mode: 'timestamp_ms' }).notNull(),
    /** Length in minutes (hours of the cascade). */
    minutes: integer('minutes').notNull(),
    /** Room and address, for a session on site. */
    place: text('place'),
    /** Link of an online session. */
    onlineUrl: text('online_url'),
    /** Set when cancelled; the invited got a cancellation. */
    cancelledAt: integer('cancelled_at', { mode: 'timestamp_ms' }),
    /** Calendar SEQUENCE (RFC 5545): raised by every change the invited are told about. */
    sequence: integer('sequence').notNull().default(0),
    createdBy: text('created_by'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    // sessions of one cohort by date (the cohort's list, the cascade)
    index('training_sessions_cohort_idx').on(t.tenantId, t.cohortId, t.startsAt),
    // a district's sessions by date (HR's cascade, the evidence export, a learner's upcoming sessions)
    index('training_sessions_tenant_idx').on(t.tenantId, t.startsAt),
  ],
);

/** Who leads a session (one or more multipliers of its cohort; same tenant, trigger-checked). */
export const trainingSessionMultiplierTable = sqliteTable(
  'training_session_multipliers',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => trainingSessionTable.id),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    userId: text('user_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.sessionId, t.userId] }),
    // the sessions a multiplier led (cascade per multiplier)
    index('training_session_multipliers_user_idx').on(t.tenantId, t.userId),
  ],
);

/** Who was invited to a session, and when (same tenant as the session and the person, trigger-checked). */
export const trainingSessionInvitationTable = sqliteTable(
  'training_session_invitations',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => trainingSessionTable.id),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenantTable.id),
    userId: text('user_id').notNull(),
    invitedAt: integer('invited_at', { mode: 'timestamp_ms' }).notNull(),
    invitedBy: text('invited_by'),
  },
  (t) => [
    primaryKey({ columns: [t.sessionId, t.userId] }),
    // the sessions a person is invited to (learner's upcoming sessions)
    index('training_session_invitations_user_idx').on(t.tenantId, t.userId),
  ],
);
