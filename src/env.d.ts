/// <reference types="astro/client" />
declare namespace App {
  interface Locals {
    user: import('./lib/server/users/get-auth-user.ts').AuthUser | null;
    session: import('./lib/server/auth/sessions.ts').SessionRecord | null;
    locale: import('./i18n/index.ts').Locale;
    t: import('./i18n/index.ts').Translate;
  }
}
