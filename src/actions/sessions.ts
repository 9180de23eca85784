/** Multiplier (and admin) actions: in-person sessions of a cohort — create, change, cancel, invite, record attendance. */

import type { ActionAPIContext } from 'astro:actions';
import { ActionError, defineAction } from 'astro:actions';
import { z } from 'zod';
import type { Ctx } from '../lib/server/context.ts';
import { cancelSession, changeSession, createSession, inviteToSession } from '../lib/server/sessions/plan-session.ts';
import { recordAttendance } from '../lib/server/sessions/record-attendance.ts';
import { mapDomainErrors } from '../lib/web/action-errors.ts';
import { requestContext } from '../lib/web/context.ts';

/** The verb decides authorization (authorize in the verb); here only the session must exist. */
async function contextOf(context: ActionAPIContext): Promise<Ctx> {
  if (!context.locals.user)
    throw new ActionError({ code: 'UNAUTHORIZED', message: 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.' });
  return requestContext(context.locals);
}

const idSchema = z.string().min(1).max(100);
/** Form fields arrive as strings (or null when empty); the verb validates them with its own schema. */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .nullish()
    .transform((v) => v ?? '');

const sessionFields = {
  kind: text(20),
  topic: text(300),
  content: text(200),
  date: text(20),
  time: text(10),
  minutes: text(10),
  place: text(300),
  onlineUrl: text(600),
};

export const sessionActions = {
  createSession: defineAction({
    accept: 'form',
    input: z.object({ cohortId: idSchema, ...sessionFields, multipliers: z.array(idSchema).max(20).default([]) }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      return mapDomainErrors(async () => createSession(ctx, input as Parameters<typeof createSession>[1]));
    },
  }),
  changeSession: defineAction({
    accept: 'form',
    input: z.object({ sessionId: idSchema, ...sessionFields }),
    handler: async (input, context) => {
      const ctx = await contextOf(context);
      return mapDomainErrors(async () => changeSession(ctx, input as Parameters<typeof changeSession>[1]));
    },
  }),
  cancelSession: defineAction({
    accept: 'form',
    input: z.object({ sessionId: idSchema }),
    handler: async ({ sessionId }, context) => {
      const ctx = await contextOf(context);
      return mapDomainErrors(async () => cancelSession(ctx, sessionId));
    },
  }),
  inviteToSession: defineAction({
    accept: 'form',
    input: z.object({ sessionId: idSchema, person: z.array(idSchema).max(5000).default([]) }),
    handler: async ({ sessionId, person }, context) => {
      const ctx = await contextOf(context);
      return mapDomainErrors(async () => inviteToSession(ctx, { sessionId, userIds: person }));
    },
  }),
  recordAttendance: defineAction({
    accept: 'form',
    input: z.object({ sessionId: idSchema, anwesend: z.array(idSchema).max(5000).default([]) }),
    handler: async ({ sessionId, anwesend }, context) => {
      const ctx = await contextOf(context);
      return mapDomainErrors(async () => recordAttendance(ctx, { sessionId, userIds: anwesend }));
    },
  }),
};
