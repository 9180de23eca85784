/** Learning actions: lesson done, start quiz, answer one item, submit all answers. Plain forms, no JS needed. */

import type { ActionAPIContext } from 'astro:actions';
import { ActionError, defineAction } from 'astro:actions';
import { z } from 'zod';
import type { Ctx } from '../lib/server/context.ts';
import { completeLesson } from '../lib/server/learning/lesson-progress.ts';
import { allAnswersFromForm, answerFromForm } from '../lib/server/quizzes/attempt-view.ts';
import { answerItem, startAttempt, submitAttempt } from '../lib/server/quizzes/quiz-attempts.ts';
import { mapDomainErrors } from '../lib/web/action-errors.ts';
import { requestContext } from '../lib/web/context.ts';

async function contextOf(context: ActionAPIContext): Promise<Ctx> {
  if (!context.locals.user)
    throw new ActionError({ code: 'UNAUTHORIZED', message: 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.' });
  return requestContext(context.locals);
}

const id = z.string().min(1).max(100);
const incomplete = 'Das Formular ist unvollständig. Bitte laden Sie die Seite neu.';

export const learningActions = {
  completeLesson: defineAction({
    accept: 'form',
    input: z.object({ courseId: id, lessonId: id }),
    handler: async ({ courseId, lessonId }, context) => {
      const ctx = await contextOf(context);
      return mapDomainErrors(async () => completeLesson(ctx, courseId, lessonId));
    },
  }),
  startQuiz: defineAction({
    accept: 'form',
    input: z.object({ courseId: id }),
    handler: async ({ courseId }, context) => {
      const ctx = await contextOf(context);
      const attempt = await mapDomainErrors(async () => startAttempt(ctx, courseId));
      return { attemptId: attempt.id };
    },
  }),
  answerQuizItem: defineAction({
    accept: 'form',
    handler: async (form: FormData, context) => {
      const ctx = await contextOf(context);
      const attemptId = z.uuid('Ungültiger Quizversuch.').safeParse(form.get('attemptId'));
      const itemId = id.safeParse(form.get('itemId'));
      if (!attemptId.success || !itemId.success) throw new ActionError({ code: 'BAD_REQUEST', message: incomplete });
      return mapDomainErrors(async () => {
        const read = (n: string) => form.getAll(n).map(String);
        const { attempt, response } = await answerFromForm(ctx, attemptId.data, itemId.data, read);
        const result = await answerItem(ctx, attemptId.data, itemId.data, response, attempt);
        return { itemId: itemId.data, submitted: result.submitted !== null };
      });
    },
  }),
  submitQuiz: defineAction({
    accept: 'form',
    handler: async (form: FormData, context) => {
      const ctx = await contextOf(context);
      const attemptId = z.uuid('Ungültiger Quizversuch.').safeParse(form.get('attemptId'));
      if (!attemptId.success) throw new ActionError({ code: 'BAD_REQUEST', message: incomplete });
      return mapDomainErrors(async () => {
        const responses = await allAnswersFromForm(ctx, attemptId.data, (n) => form.getAll(n).map(String));
        const result = await submitAttempt(ctx, attemptId.data, responses);
        return { alreadySubmitted: result.alreadySubmitted };
      });
    },
  }),
};
