/**
 * A person's own data (GDPR Art. 15 access, Art. 20 portability): profile, roles, learning status (from the one
 * status rule), the learning record, lesson progress, quiz attempts with answers, completions, certificates,
 * sessions, e-mails received (reminders), sign-on identities and the audit entries about them. Only the signed-in person's own data (authorize: learning.own, self);
 * no secrets (password and session hashes, signing keys, quiz answer keys, audit salts) are included.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import {
  auditEventTable,
  auditPersonalTable,
  certificateTable,
  courseCompletionTable,
  learningEventTable,
  lessonProgressTable,
  mailMessageTable,
  orgUnitTable,
  quizAttemptTable,
  quizResponseTable,
  sessionTable,
  tenantTable,
  trainingSessionInvitationTable,
  trainingSessionTable,
  userIdentityTable,
  userRoleTable,
  userTable,
} from '../../../../db/schema/index.ts';
import { authorize } from '../authz/authorize.ts';
import type { Ctx } from '../context.ts';
import { NotFoundError } from '../errors/domain-errors.ts';
import { computeStatusAsOf, type PersonStatus } from '../evidence/status-as-of.ts';

export interface OwnDataExport {
  /** Format of this export (changes when fields change). */
  format: 'kiko-personal-data/1';
  createdAt: string;
  district: { name: string; slug: string } | null;
  profile: {
    id: string;
    name: string;
    email: string;
    personnelNumber: string | null;
    jobRole: string;
    orgUnit: { code: string; name: string } | null;
    status: string;
    createdAt: string;
    lastLoginAt: string | null;
    roles: Array<{ role: string; scopeOrgUnitId: string | null }>;
  };
  status: PersonStatus | null;
  learningRecord: Array<{
    type: string;
    subject: string | null;
    ref: string | null;
    version: string | null;
    how: string | null;
    data: unknown;
    effectiveAt: string;
    recordedAt: string;
  }>;
  lessonProgress: Array<{
    courseId: string;
    lessonId: string;
    lessonVersion: string;
    startedAt: string;
    completedAt: string | null;
    lastSeenAt: string;
  }>;
  quizAttempts: Array<{
    id: string;
    quizId: string;
    courseId: string;
    status: string;
    startedAt: string;
    submittedAt: string | null;
    score: number | null;
    maxScore: number | null;
    passed: boolean | null;
    answers: Array<{ itemId: string; response: unknown; score: number; answeredAt: string }>;
  }>;
  completions: Array<{ courseId: string; courseVersion: string; how: string; completedAt: string }>;
  certificates: Array<{
    id: string;
    kind: string;
    achievementId: string;
    issuedAt: string;
    expiresAt: string | null;
    revokedAt: string | null;
    revokedReason: string | null;
  }>;
  sessions: Array<{ createdAt: string; lastUsedAt: string }>;
  /** In-person sessions the person was invited to (attendance is in the learning record: session.attended). */
  sessionInvitations: Array<{
    sessionId: string;
    kind: string;
    topic: string;
    startsAt: string;
    minutes: number;
    cancelledAt: string | null;
    invitedAt: string;
  }>;
  /** E-mails KIKO sent or queued to the person (password, invitation, reminders). */
  mails: Array<{ template: string; subject: string; status: string; createdAt: string; sentAt: string | null }>;
  /** Accounts at the district's sign-on service linked to this person. */
  identities: Array<{ issuer: string; subject: string; createdAt: string; lastLoginAt: string | null }>;
  auditEntries: Array<{ at: string; type: string; data: unknown; personal: unknown }>;
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export async function exportOwnData(ctx: Ctx): Promise<OwnDataExport> {
  const scope = await authorize(ctx, 'learning.own');
  const userId = scope.actorUserId;
  const tenantId = scope.tenantId as string;
  if (!userId) throw new NotFoundError('Nicht gefunden.');
  const db = ctx.db;
  const [user] = await db
    .select({ u: userTable, unitCode: orgUnitTable.code, unitName: orgUnitTable.name })
    .from(userTable)
    .leftJoin(orgUnitTable, eq(orgUnitTable.id, userTable.orgUnitId))
    .where(and(eq(userTable.id, userId), eq(userTable.tenantId, tenantId)));
  if (!user) throw new NotFoundError('Nicht gefunden.');
  const [roles, facts, lessons, attempts, completions, certificates, sessions, audit, status] = await Promise.all([
    db
      .select({ role: userRoleTable.role, scopeOrgUnitId: userRoleTable.scopeOrgUnitId })
      .from(userRoleTable)
      .where(eq(userRoleTable.userId, userId)),
    db
      .select()
      .from(learningEventTable)
      .where(and(eq(learningEventTable.tenantId, tenantId), eq(learningEventTable.userId, userId)))
      .orderBy(asc(learningEventTable.effectiveAt), asc(learningEventTable.seq)),
    db
      .select()
      .from(lessonProgressTable)
      .where(and(eq(lessonProgressTable.tenantId, tenantId), eq(lessonProgressTable.userId, userId))),
    db
      .select()
      .from(quizAttemptTable)
      .where(and(eq(quizAttemptTable.tenantId, tenantId), eq(quizAttemptTable.userId, userId)))
      .orderBy(asc(quizAttemptTable.startedAt)),
    db
      .select()
      .from(courseCompletionTable)
      .where(and(eq(courseCompletionTable.tenantId, tenantId), eq(courseCompletionTable.userId, userId))),
    db
      .select()
      .from(certificateTable)
      .where(and(eq(certificateTable.tenantId, tenantId), eq(certificateTable.userId, userId))),
    db
      .select({ createdAt: sessionTable.createdAt, lastUsedAt: sessionTable.lastUsedAt })
      .from(sessionTable)
      .where(eq(sessionTable.userId, userId)),
    db
      .select({ at: auditEventTable.at, type: auditEventTable.type, data: auditEventTable.data, personal: auditPersonalTable.data })
      .from(auditPersonalTable)
      .innerJoin(auditEventTable, eq(auditEventTable.seq, auditPersonalTable.seq))
      .where(and(eq(auditPersonalTable.chain, tenantId), eq(auditPersonalTable.personId, userId)))
      .orderBy(asc(auditEventTable.seq)),
    computeStatusAsOf(ctx, scope, { asOf: ctx.clock(), current: true, userIds: [userId] }),
  ]);
  const identities = await db
    .select({
      issuer: userIdentityTable.issuer,
      subject: userIdentityTable.subject,
      createdAt: userIdentityTable.createdAt,
      lastLoginAt: userIdentityTable.lastLoginAt,
    })
    .from(userIdentityTable)
    .where(and(eq(userIdentityTable.tenantId, tenantId), eq(userIdentityTable.userId, userId)));
  const invitations = await db
    .select({
      sessionId: trainingSessionTable.id,
      kind: trainingSessionTable.kind,
      topic: trainingSessionTable.topic,
      startsAt: trainingSessionTable.startsAt,
      minutes: trainingSessionTable.minutes,
      cancelledAt: trainingSessionTable.cancelledAt,
      invitedAt: trainingSessionInvitationTable.invitedAt,
    })
    .from(trainingSessionInvitationTable)
    .innerJoin(trainingSessionTable, eq(trainingSessionTable.id, trainingSessionInvitationTable.sessionId))
    .where(and(eq(trainingSessionInvitationTable.tenantId, tenantId), eq(trainingSessionInvitationTable.userId, userId)))
    .orderBy(asc(trainingSessionTable.startsAt));
  const mails = await db
    .select({
      template: mailMessageTable.template,
      subject: mailMessageTable.subject,
      status: mailMessageTable.status,
      createdAt: mailMessageTable.createdAt,
      sentAt: mailMessageTable.sentAt,
    })
    .from(mailMessageTable)
    .where(and(eq(mailMessageTable.tenantId, tenantId), eq(mailMessageTable.userId, userId)))
    .orderBy(asc(mailMessageTable.createdAt));
  const answers =
    attempts.length > 0
      ? await db
          .select()
          .from(quizResponseTable)
          .where(
            inArray(
              quizResponseTable.attemptId,
              attempts.map((a) => a.id),
            ),
          )
      : [];
  const [tenant] = await db
    .select({ name: tenantTable.name, slug: tenantTable.slug })
    .from(tenantTable)
    .where(eq(tenantTable.id, tenantId));
  const u = user.u;
  return {
    format: 'kiko-personal-data/1',
    createdAt: ctx.clock().toISOString(),
    district: tenant ? { name: tenant.name, slug: tenant.slug } : null,
    profile: {
      id: u.id,
      name: u.name,
      email: u.email,
      personnelNumber: u.externalId,
      jobRole: u.jobRole,
      orgUnit: user.unitCode ? { code: user.unitCode, name: user.unitName ?? '' } : null,
      status: u.status,
      createdAt: u.createdAt.toISOString(),
      lastLoginAt: iso(u.lastLoginAt),
      roles,
    },
    status: status.people.find((p) => p.userId === userId) ?? null,
    learningRecord: facts.map((f) => ({
      type: f.type,
      subject: f.subject,
      ref: f.ref,
      version: f.version,
      how: f.how,
      data: f.data,
      effectiveAt: f.effectiveAt.toISOString(),
      recordedAt: f.recordedAt.toISOString(),
    })),
    lessonProgress: lessons.map((l) => ({
      courseId: l.courseId,
      lessonId: l.lessonId,
      lessonVersion: l.lessonVersion,
      startedAt: l.startedAt.toISOString(),
      completedAt: iso(l.completedAt),
      lastSeenAt: l.lastSeenAt.toISOString(),
    })),
    quizAttempts: attempts.map((a) => ({
      id: a.id,
      quizId: a.quizId,
      courseId: a.courseId,
      status: a.status,
      startedAt: a.startedAt.toISOString(),
      submittedAt: iso(a.submittedAt),
      score: a.score,
      maxScore: a.maxScore,
      passed: a.passed,
      answers: answers
        .filter((r) => r.attemptId === a.id)
        .map((r) => ({ itemId: r.itemId, response: r.response, score: r.score, answeredAt: r.answeredAt.toISOString() })),
    })),
    completions: completions.map((c) => ({
      courseId: c.courseId,
      courseVersion: c.courseVersion,
      how: c.how,
      completedAt: c.completedAt.toISOString(),
    })),
    certificates: certificates.map((c) => ({
      id: c.id,
      kind: c.kind,
      achievementId: c.achievementId,
      issuedAt: c.issuedAt.toISOString(),
      expiresAt: iso(c.expiresAt),
      revokedAt: iso(c.revokedAt),
      revokedReason: c.revokedReason,
    })),
    sessions: sessions.map((s) => ({ createdAt: s.createdAt.toISOString(), lastUsedAt: s.lastUsedAt.toISOString() })),
    sessionInvitations: invitations.map((i) => ({
      sessionId: i.sessionId,
      kind: i.kind,
      topic: i.topic,
      startsAt: i.startsAt.toISOString(),
      minutes: i.minutes,
      cancelledAt: iso(i.cancelledAt),
      invitedAt: i.invitedAt.toISOString(),
    })),
    mails: mails.map((m) => ({
      template: m.template,
      subject: m.subject,
      status: m.status,
      createdAt: m.createdAt.toISOString(),
      sentAt: iso(m.sentAt),
    })),
    identities: identities.map((i) => ({
      issuer: i.issuer,
      subject: i.subject,
      createdAt: i.createdAt.toISOString(),
      lastLoginAt: iso(i.lastLoginAt),
    })),
    auditEntries: audit.map((a) => ({ at: a.at.toISOString(), type: a.type, data: a.data, personal: a.personal })),
  };
}
