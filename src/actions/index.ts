/** Astro Actions: forms that work without JavaScript. zod input → one lib verb → mapped errors. */

import { ActionError, defineAction } from 'astro:actions';
import { resolve } from 'node:path';
import { z } from 'zod';
import { getDb } from '../lib/server/app-context.ts';
import { DEVICE_COOKIE_MAX_AGE_SECONDS, deviceCookieName, deviceSecret } from '../lib/server/auth/device-cookie.ts';
import { loginWithPassword } from '../lib/server/auth/login.ts';
import { SESSION_COOKIE, setSessionCookie } from '../lib/server/auth/session-cookie.ts';
import { getEnv } from '../lib/server/config/env.ts';
import { listSsoTenants } from '../lib/server/sso/sso-tenant.ts';
import { formatTime } from '../lib/shared/format.ts';
import { adminActions } from './admin.ts';
import { certificateActions } from './certificates.ts';
import { cohortActions } from './cohorts.ts';
import { exportActions } from './exports.ts';
import { learningActions } from './learning.ts';
import { operatorActions } from './operator.ts';
import { peopleActions } from './people.ts';
import { sessionActions } from './sessions.ts';
import { ssoActions } from './sso.ts';

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
      const deviceCookie = deviceCookieName(input.email);
      const result = await loginWithPassword(await getDb(), {
        ...input,
        ip: context.locals.clientIp,
        deviceToken: context.cookies.get(deviceCookie)?.value,
        deviceSecret: deviceSecret(resolve(getEnv().KIKO_KEY_DIR)),
        previousToken: context.cookies.get(SESSION_COOKIE)?.value,
      });
      if (!result.ok) {
        if (result.reason === 'rate-limited') {
          const at = new Date(Date.now() + result.retryAfterSeconds * 1000);
          throw new ActionError({
            code: 'TOO_MANY_REQUESTS',
            message: context.locals.t('login.rateLimited', {
              time: formatTime(at),
              minutes: Math.max(1, Math.ceil(result.retryAfterSeconds / 60)),
            }),
          });
        }
        // the same message for unknown accounts and for people of a district without password login (no enumeration)
        const ssoOnInstallation = (await listSsoTenants(await getDb())).length > 0;
        throw new ActionError({
          code: 'UNAUTHORIZED',
          message: context.locals.t(ssoOnInstallation ? 'login.invalidSso' : 'login.invalid'),
        });
      }
      setSessionCookie(context.cookies, result.token, context.locals.secure);
      context.cookies.set(deviceCookie, result.deviceToken, {
        httpOnly: true,
        sameSite: 'strict',
        secure: getEnv().KIKO_SECURE_COOKIES ?? context.locals.secure,
        path: '/',
        maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS,
      });
      return { ok: true };
    },
  }),
  ...learningActions,
  ...adminActions,
  ...certificateActions,
  ...peopleActions,
  ...cohortActions,
  ...sessionActions,
  ...exportActions,
  ...ssoActions,
  ...operatorActions,
};
