/** Learning actions: lesson done, start quiz, answer one item, submit all answers. Plain forms, no JS needed. */

import type { ActionAPIContext } from 'astro:actions';
import { ActionError, defineAction } from 'astro:actions';
import { z } from 'zod';
import { getDb } from '../lib/server/app-context.ts';
import { can } from '../lib/server/authz/can.ts';
import { getContent } from '../lib/server/learning/content-registry.ts';
import { type Learner, learnerOf } from '../lib/server/learning/learner.ts';
import { completeLesson } from '../lib/server/learning/lesson-progress.ts';
import type { AttemptLayout } from '../lib/server/quizzes/draw-attempt.ts';
import { toPublicItem } from '../lib/server/quizzes/public-item.ts';
import { answerItem, quizOfAttempt, requireOwnAttempt, startAttempt, submitAttempt } from '../lib/server/quizzes/quiz-attempts.ts';
import { responseFromForm } from '../lib/shared/quiz-form.ts';
import { mapDomainErrors } from '../lib/web/action-errors.ts';

function requireLearner(context: ActionAPIContext): Learner {
  const user = context.locals.user;
  if (!user) throw new ActionError({ code: 'UNAUTHORIZED', message: 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.' });
  if (!can(user, 'learning.own')) throw new ActionError({ code: 'FORBIDDEN', message: 'Dafür fehlt Ihnen die Berechtigung.' });
  return learnerOf(user);
}

const id = z.string().min(1).max(100);

export const learningActions = {
  completeLesson: defineAction({
    accept: 'form',
    input: z.object({ courseId: id, lessonId: id }),
    handler: async ({ courseId, lessonId }, context) => {
      const learner = requireLearner(context);
      return mapDomainErrors(async () => completeLesson(await getDb(), learner, getContent(), courseId, lessonId));
    },
  }),
  startQuiz: defineAction({
    accept: 'form',
    input: z.object({ courseId: id }),
    handler: async ({ courseId }, context) => {
      const learner = requireLearner(context);
      const attempt = await mapDomainErrors(async () => startAttempt(await getDb(), learner, getContent(), courseId));
      return { attemptId: attempt.id };
    },
  }),
  answerQuizItem: defineAction({
    accept: 'form',
    handler: async (form: FormData, context) => {
      const learner = requireLearner(context);
      const attemptId = z.uuid('Ungültiger Quizversuch.').safeParse(form.get('attemptId'));
      const itemId = id.safeParse(form.get('itemId'));
      if (!attemptId.success || !itemId.success)
        throw new ActionError({ code: 'BAD_REQUEST', message: 'Das Formular ist unvollständig. Bitte laden Sie die Seite neu.' });
      return mapDomainErrors(async () => {
        const db = await getDb();
        const content = getContent();
        const attempt = await requireOwnAttempt(db, learner, attemptId.data);
        const quiz = quizOfAttempt(content, attempt).quiz;
        const item = quiz.items.find((i) => i.id === itemId.data && (attempt.layout as AttemptLayout).itemIds.includes(i.id));
        if (!item) throw new ActionError({ code: 'BAD_REQUEST', message: 'Diese Frage gehört nicht zu Ihrem Quizversuch.' });
        const parsed = responseFromForm(toPublicItem(item, attempt.layout as AttemptLayout), (n) => form.getAll(n).map(String));
        if (!parsed.ok) throw new ActionError({ code: 'BAD_REQUEST', message: parsed.message });
        const result = await answerItem(db, learner, content, attemptId.data, itemId.data, parsed.response, new Date(), attempt);
        return { itemId: itemId.data, submitted: result.submitted !== null };
      });
    },
  }),
  submitQuiz: defineAction({
    accept: 'form',
    handler: async (form: FormData, context) => {
      const learner = requireLearner(context);
      const attemptId = z.uuid('Ungültiger Quizversuch.').safeParse(form.get('attemptId'));
      if (!attemptId.success)
        throw new ActionError({ code: 'BAD_REQUEST', message: 'Das Formular ist unvollständig. Bitte laden Sie die Seite neu.' });
      return mapDomainErrors(async () => {
        const db = await getDb();
        const content = getContent();
        const attempt = await requireOwnAttempt(db, learner, attemptId.data);
        const quiz = quizOfAttempt(content, attempt).quiz;
        const layout = attempt.layout as AttemptLayout;
        const responses: Record<string, unknown> = {};
        const missing: number[] = [];
        layout.itemIds.forEach((itemId, index) => {
          const item = quiz.items.find((i) => i.id === itemId);
          if (!item) return;
          const parsed = responseFromForm(toPublicItem(item, layout), (n) => form.getAll(n).map(String), `f${index + 1}-`);
          if (parsed.ok) responses[itemId] = parsed.response;
          else missing.push(index + 1);
        });
        if (missing.length > 0 && attempt.status === 'open')
          throw new ActionError({ code: 'BAD_REQUEST', message: `Bitte beantworten Sie noch Frage ${missing.join(', ')}.` });
        const result = await submitAttempt(db, learner, content, attemptId.data, responses);
        return { alreadySubmitted: result.alreadySubmitted };
      });
    },
  }),
};
