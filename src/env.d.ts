/// <reference types="astro/client" />
declare namespace App {
  interface Locals {
    user: import('./lib/server/users/get-auth-user.ts').AuthUser | null;
    session: import('./lib/server/auth/sessions.ts').SessionRecord | null;
    locale: import('./i18n/index.ts').Locale;
    t: import('./i18n/index.ts').Translate;
    /** The client's address (from X-Forwarded-For only behind a trusted proxy, see trusted-proxy.ts). */
    clientIp: string;
    /** Whether the browser uses https (directly, or at a trusted proxy). */
    secure: boolean;
  }
}
