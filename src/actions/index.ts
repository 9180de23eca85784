/** Astro Actions: forms that work without JavaScript. zod input → one lib verb → mapped errors. */
import { ActionError, defineAction } from 'astro:actions';
import { z } from 'zod';
import { getDb } from '../lib/server/app-context.ts';
import { loginWithPassword } from '../lib/server/auth/login.ts';
import { setSessionCookie } from '../lib/server/auth/session-cookie.ts';
import { adminActions } from './admin.ts';
import { certificateActions } from './certificates.ts';
import { learningActions } from './learning.ts';

export const server = {
  login: defineAction({
    accept: 'form',
    input: z.object({
      // an empty form field arrives as null, so the message is also the type error's
      email: z
        .string({ error: 'Bitte geben Sie Ihre E-Mail-Adresse ein.' })
        .trim()
        .min(1, 'Bitte geben Sie Ihre E-Mail-Adresse ein.')
        .max(254),
      password: z.string({ error: 'Bitte geben Sie Ihr Passwort ein.' }).min(1, 'Bitte geben Sie Ihr Passwort ein.').max(256),
    }),
    handler: async (input, context) => {
      const result = await loginWithPassword(await getDb(), { ...input, ip: context.clientAddress });
      if (!result.ok) {
        if (result.reason === 'rate-limited')
          throw new ActionError({
            code: 'TOO_MANY_REQUESTS',
            message: context.locals.t('login.rateLimited', { minutes: Math.max(1, Math.ceil(result.retryAfterSeconds / 60)) }),
          });
        throw new ActionError({ code: 'UNAUTHORIZED', message: context.locals.t('login.invalid') });
      }
      setSessionCookie(context.cookies, result.token, context.url.protocol === 'https:');
      return { ok: true };
    },
  }),
  ...learningActions,
  ...adminActions,
  ...certificateActions,
};
