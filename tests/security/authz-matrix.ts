/**
 * The authorization matrix as data: every route file under src/pages and every Astro action, with the answer each
 * kind of person must get. tests/integration/authz-matrix.test.ts walks it against the built server; a route or
 * action without an entry fails that test, so a new page cannot ship without a decision about who may see it.
 *
 * Principals (all in one district "home" unless said otherwise):
 * - anonymous: no session
 * - learner: the person whose attempt, certificate and history the targets are (org unit A)
 * - colleague: another learner of the same district (org unit A) — must never see the learner's things
 * - multiplier: leads the cohort the learner belongs to; otherMultiplier: a multiplier of the same district without it
 * - hr, admin, council (staff council), operator (platform, no district)
 * - hrScoped: HR whose grant is limited to org unit B (the learner is in A)
 * - otherDistrict: an admin and HR person of another district: opens the HR and admin pages of their own district,
 *   never anything of the home district (the walk checks that no refused or foreign page names the learner)
 */

export const principals = [
  'anonymous',
  'learner',
  'colleague',
  'multiplier',
  'otherMultiplier',
  'hr',
  'hrScoped',
  'admin',
  'council',
  'operator',
  'otherDistrict',
] as const;
export type Principal = (typeof principals)[number];

/**
 * - ok: 200 with the page or file
 * - login: redirect to /anmelden (no data)
 * - forbidden: 403 (the role may not do this)
 * - notfound: 404 (the target is outside the person's scope; no hint whether it exists)
 * - public: open to everyone by decision (200)
 * - redirect: a 3xx to somewhere other than the login page (start page by role, language switch)
 */
export type Outcome = 'ok' | 'login' | 'forbidden' | 'notfound' | 'public' | 'redirect';

/** Ids the fixtures create, substituted into the URLs. */
export interface MatrixIds {
  course: string;
  lesson: string;
  /** The learner's open quiz attempt, in the course `attemptCourse`. */
  attempt: string;
  attemptCourse: string;
  /** The learner's certificate. */
  certificate: string;
  /** A mail to the learner in the home district's outbox. */
  mail: string;
  /** The cohort the learner belongs to, led by `multiplier`. */
  cohort: string;
  /** A past in-person session of that cohort, led by `multiplier`, with the learner invited. */
  session: string;
  /** The multiplier's user id and the learner's org unit. */
  multiplier: string;
  /** The learner's user id. */
  learner: string;
  orgUnitA: string;
  /** A finished evidence export job of the home district's HR (whole district). */
  exportJob: string;
  /** The home district's id (operator console). */
  tenant: string;
}

export interface RouteEntry {
  /** The route file, relative to the repository root. */
  route: string;
  /** Why it is not walked (error pages, partials, POST-only endpoints covered elsewhere); otherwise walked. */
  notWalked?: string;
  url?: (ids: MatrixIds) => string;
  expect?: Record<Principal, Outcome>;
  /** Who may see the learner's name on this page when it is theirs to open (default: nobody but the learner). */
  seesLearner?: readonly Principal[];
}

const all = (outcome: Outcome): Record<Principal, Outcome> =>
  Object.fromEntries(principals.map((p) => [p, outcome])) as Record<Principal, Outcome>;

/** Signed-in people of a district with the given action; everyone else 403, anonymous to the login page. */
function onlyFor(allowed: readonly Principal[], overrides: Partial<Record<Principal, Outcome>> = {}): Record<Principal, Outcome> {
  const base = Object.fromEntries(principals.map((p) => [p, allowed.includes(p) ? 'ok' : 'forbidden'])) as Record<Principal, Outcome>;
  return { ...base, anonymous: 'login', ...overrides };
}

/** Everyone with a district account learns (learning.own); the platform operator does not. */
const learners: readonly Principal[] = [
  'learner',
  'colleague',
  'multiplier',
  'otherMultiplier',
  'hr',
  'hrScoped',
  'admin',
  'council',
  'otherDistrict',
];

/** The learner's own attempt or file: everyone else with a district account learns nothing about it (404). */
const onlyTheLearner = onlyFor(['learner'], {
  ...Object.fromEntries(learners.filter((p) => p !== 'learner').map((p) => [p, 'notfound'])),
});

export const routeMatrix: RouteEntry[] = [
  { route: 'src/pages/403.astro', notWalked: 'error page' },
  { route: 'src/pages/404.astro', notWalked: 'error page' },
  { route: 'src/pages/500.astro', notWalked: 'error page' },
  { route: 'src/pages/zertifikat-pruefen/_result.astro', notWalked: 'partial of the verification page, not a route' },
  { route: 'src/pages/abmelden.astro', notWalked: 'POST that ends the own session only (tests/e2e/foundation.test.ts)' },
  { route: 'src/pages/sprache.ts', notWalked: 'POST that sets the language cookie only (tests/integration/server-hardening.test.ts)' },
  { route: 'src/pages/index.astro', url: () => '/', expect: { ...all('redirect'), anonymous: 'public' } },
  // signed-in people are sent on to their start page
  { route: 'src/pages/anmelden.astro', url: () => '/anmelden', expect: { ...all('redirect'), anonymous: 'public' } },
  { route: 'src/pages/impressum.astro', url: () => '/impressum', expect: all('public') },
  { route: 'src/pages/datenschutz.astro', url: () => '/datenschutz', expect: all('public') },
  { route: 'src/pages/barrierefreiheit.astro', url: () => '/barrierefreiheit', expect: all('public') },
  { route: 'src/pages/api/health.ts', url: () => '/api/health', expect: all('public') },
  { route: 'src/pages/zertifikat-pruefen/index.astro', url: () => '/zertifikat-pruefen', expect: all('public') },
  { route: 'src/pages/zertifikat-pruefen/[...id].astro', url: (i) => `/zertifikat-pruefen/${i.certificate}`, expect: all('public') },
  { route: 'src/pages/abzeichen/[art]/[id].ts', url: (i) => `/abzeichen/kurs/${i.course}`, expect: all('public') },
  { route: 'src/pages/betrieb.astro', url: () => '/betrieb', expect: onlyFor(['operator']) },
  { route: 'src/pages/betrieb/neu.astro', url: () => '/betrieb/neu', expect: onlyFor(['operator']) },
  // a district's health: counts only, so the operator never sees the learner's name (checked by the walk)
  { route: 'src/pages/betrieb/[id].astro', url: (i) => `/betrieb/${i.tenant}`, expect: onlyFor(['operator']) },
  { route: 'src/pages/betrieb/[id].astro', url: (i) => `/betrieb/${i.tenant}?aktion=sperren`, expect: onlyFor(['operator']) },
  { route: 'src/pages/lernen.astro', url: () => '/lernen', expect: onlyFor(learners) },
  { route: 'src/pages/verlauf.astro', url: () => '/verlauf', expect: onlyFor(learners) },
  { route: 'src/pages/suche.astro', url: () => '/suche?q=Prompt', expect: onlyFor(learners) },
  // the search index holds every lesson's text: like the lessons (tests/integration/web-hardening.test.ts)
  { route: 'src/pages/pagefind/[...path].ts', url: () => '/pagefind/pagefind.js', expect: onlyFor(learners) },
  { route: 'src/pages/kurse/[course]/index.astro', url: (i) => `/kurse/${i.course}`, expect: onlyFor(learners) },
  { route: 'src/pages/kurse/[course]/[lesson].astro', url: (i) => `/kurse/${i.course}/${i.lesson}`, expect: onlyFor(learners) },
  { route: 'src/pages/kurse/[course]/quiz/index.astro', url: (i) => `/kurse/${i.course}/quiz`, expect: onlyFor(learners) },
  {
    route: 'src/pages/kurse/[course]/quiz/[attempt].astro',
    url: (i) => `/kurse/${i.attemptCourse}/quiz/${i.attempt}`,
    // only the learner's own attempt; everyone else learns nothing about it
    expect: onlyTheLearner,
  },
  { route: 'src/pages/zertifikate/index.astro', url: () => '/zertifikate', expect: onlyFor(learners) },
  {
    route: 'src/pages/zertifikate/[file].ts',
    url: (i) => `/zertifikate/${i.certificate}.pdf`,
    expect: onlyTheLearner,
  },
  { route: 'src/pages/multiplikator.astro', url: () => '/multiplikator', expect: onlyFor(['multiplier', 'otherMultiplier']) },
  // a cohort's pages: its own multipliers only; another multiplier learns nothing about it
  ...['', '/personen', '/fragen'].map(
    (page): RouteEntry => ({
      route: `src/pages/multiplikator/kohorte/[id]/${page ? page.slice(1) : 'index'}.astro`,
      url: (i) => `/multiplikator/kohorte/${i.cohort}${page}`,
      expect: onlyFor(['multiplier'], { otherMultiplier: 'notfound' }),
      seesLearner: ['multiplier'],
    }),
  ),
  // the cohort's sessions: its own multipliers only (the session page names the invited)
  ...['termine/index', 'termine/neu'].map(
    (page): RouteEntry => ({
      route: `src/pages/multiplikator/kohorte/[id]/${page}.astro`,
      url: (i) => `/multiplikator/kohorte/${i.cohort}/${page.replace('/index', '')}`,
      expect: onlyFor(['multiplier'], { otherMultiplier: 'notfound' }),
    }),
  ),
  // reminders to the cohort: its own multipliers only; the preview names the people it would remind
  {
    route: 'src/pages/multiplikator/kohorte/[id]/erinnerungen/index.astro',
    url: (i) => `/multiplikator/kohorte/${i.cohort}/erinnerungen`,
    expect: onlyFor(['multiplier'], { otherMultiplier: 'notfound' }),
    seesLearner: ['multiplier'],
  },
  {
    route: 'src/pages/multiplikator/kohorte/[id]/erinnerungen/senden.astro',
    url: (i) => `/multiplikator/kohorte/${i.cohort}/erinnerungen/senden?status=not-started&status=overdue&status=refresher-due`,
    expect: onlyFor(['multiplier'], { otherMultiplier: 'notfound' }),
    seesLearner: ['multiplier'],
  },
  {
    route: 'src/pages/multiplikator/kohorte/[id]/erinnerungen/senden.astro',
    url: (i) => `/multiplikator/kohorte/${i.cohort}/erinnerungen/senden?person=${i.learner}`,
    expect: onlyFor(['multiplier'], { otherMultiplier: 'notfound' }),
    seesLearner: ['multiplier'],
  },
  // a tampered selection: a person outside the cohort (the multiplier themselves) is "not found", also for its multiplier
  {
    route: 'src/pages/multiplikator/kohorte/[id]/erinnerungen/senden.astro',
    url: (i) => `/multiplikator/kohorte/${i.cohort}/erinnerungen/senden?person=${i.learner}&person=${i.multiplier}`,
    expect: onlyFor([], { multiplier: 'notfound', otherMultiplier: 'notfound' }),
  },
  {
    route: 'src/pages/multiplikator/termin/[id].astro',
    url: (i) => `/multiplikator/termin/${i.session}`,
    expect: onlyFor(['multiplier'], { otherMultiplier: 'notfound' }),
    seesLearner: ['multiplier'],
  },
  {
    route: 'src/pages/multiplikator/kohorte/[id]/personen.csv.ts',
    url: (i) => `/multiplikator/kohorte/${i.cohort}/personen.csv`,
    expect: onlyFor(['multiplier'], { otherMultiplier: 'notfound' }),
    seesLearner: ['multiplier'],
  },
  { route: 'src/pages/personal.astro', url: () => '/personal', expect: onlyFor(['hr', 'hrScoped', 'otherDistrict']) },
  // the district's evidence: HR of the whole district names the learner; HR limited to org unit B never does
  {
    route: 'src/pages/personal/export.ts',
    url: () => '/personal/export?format=csv-excel',
    expect: onlyFor(['hr', 'hrScoped', 'otherDistrict']),
    seesLearner: ['hr'],
  },
  {
    route: 'src/pages/personal/export.ts',
    url: (i) => `/personal/export?format=csv&einheit=${i.orgUnitA}`,
    expect: onlyFor(['hr'], { hrScoped: 'notfound', otherDistrict: 'notfound' }),
    seesLearner: ['hr'],
  },
  {
    route: 'src/pages/personal/protokoll.astro',
    url: () => '/personal/protokoll',
    expect: onlyFor(['hr', 'hrScoped', 'otherDistrict']),
    seesLearner: ['hr'],
  },
  // the verifiable audit export covers the whole district: a grant limited to a subtree may not download it
  {
    route: 'src/pages/personal/protokoll/export.ts',
    url: () => '/personal/protokoll/export',
    expect: onlyFor(['hr', 'otherDistrict']),
    seesLearner: ['hr'],
  },
  // the cascade: multipliers' names and aggregates, for HR (scoped by their subtree)
  { route: 'src/pages/personal/kaskade.astro', url: () => '/personal/kaskade', expect: onlyFor(['hr', 'hrScoped', 'otherDistrict']) },
  // evidence export jobs: the list shows each HR person the jobs its scope covers; a job of the whole district and
  // its file are not found for HR limited to a subtree or of another district
  { route: 'src/pages/personal/exporte/index.astro', url: () => '/personal/exporte', expect: onlyFor(['hr', 'hrScoped', 'otherDistrict']) },
  {
    route: 'src/pages/personal/exporte/[id].astro',
    url: (i) => `/personal/exporte/${i.exportJob}`,
    expect: onlyFor(['hr'], { hrScoped: 'notfound', otherDistrict: 'notfound' }),
  },
  {
    route: 'src/pages/personal/exporte/[id]/datei.ts',
    url: (i) => `/personal/exporte/${i.exportJob}/datei`,
    expect: onlyFor(['hr'], { hrScoped: 'notfound', otherDistrict: 'notfound' }),
    seesLearner: ['hr'],
  },
  // the staff council sees aggregates only
  { route: 'src/pages/personalrat.astro', url: () => '/personalrat', expect: onlyFor(['council']) },
  {
    route: 'src/pages/personal/zertifikate/index.astro',
    url: () => '/personal/zertifikate',
    expect: onlyFor(['hr', 'hrScoped', 'admin', 'otherDistrict']),
    seesLearner: ['hr', 'admin'],
  },
  {
    route: 'src/pages/personal/zertifikate/[id].astro',
    url: (i) => `/personal/zertifikate/${i.certificate}`,
    expect: onlyFor(['hr', 'admin'], { hrScoped: 'notfound', otherDistrict: 'notfound' }),
    seesLearner: ['hr', 'admin'],
  },
  { route: 'src/pages/verwaltung/index.astro', url: () => '/verwaltung', expect: onlyFor(['admin', 'otherDistrict']) },
  { route: 'src/pages/verwaltung/kohorten.astro', url: () => '/verwaltung/kohorten', expect: onlyFor(['admin', 'otherDistrict']) },
  {
    route: 'src/pages/verwaltung/kohorten/[id].astro',
    url: (i) => `/verwaltung/kohorten/${i.cohort}`,
    expect: onlyFor(['admin'], { otherDistrict: 'notfound' }),
    seesLearner: ['admin'],
  },
  { route: 'src/pages/verwaltung/lernpfade.astro', url: () => '/verwaltung/lernpfade', expect: onlyFor(['admin', 'otherDistrict']) },
  {
    route: 'src/pages/verwaltung/personen/index.astro',
    url: () => '/verwaltung/personen',
    expect: onlyFor(['admin', 'otherDistrict']),
    seesLearner: ['admin'],
  },
  { route: 'src/pages/verwaltung/personen/neu.astro', url: () => '/verwaltung/personen/neu', expect: onlyFor(['admin', 'otherDistrict']) },
  {
    route: 'src/pages/verwaltung/personen/[id].astro',
    url: (i) => `/verwaltung/personen/${i.multiplier}`,
    expect: onlyFor(['admin'], { otherDistrict: 'notfound' }),
  },
  { route: 'src/pages/verwaltung/organisation.astro', url: () => '/verwaltung/organisation', expect: onlyFor(['admin', 'otherDistrict']) },
  {
    route: 'src/pages/verwaltung/import.astro',
    url: () => '/verwaltung/import?datei=00000000-0000-4000-8000-000000000000',
    // a staged file of someone else (or none): no hint whether it exists
    expect: onlyFor([], { admin: 'notfound', otherDistrict: 'notfound' }),
  },
  { route: 'src/pages/verlauf/meine-daten.astro', url: () => '/verlauf/meine-daten', expect: onlyFor(learners) },
  { route: 'src/pages/verlauf/meine-daten.json.ts', url: () => '/verlauf/meine-daten.json', expect: onlyFor(learners) },
  // password reset: public by decision; the answer never says whether an account exists
  { route: 'src/pages/passwort-vergessen.astro', url: () => '/passwort-vergessen', expect: all('public') },
  { route: 'src/pages/passwort-neu.astro', url: () => '/passwort-neu?token=gibt-es-nicht', expect: all('public') },
  {
    route: 'src/pages/verwaltung/postausgang/index.astro',
    url: () => '/verwaltung/postausgang',
    expect: onlyFor(['admin', 'otherDistrict']),
    seesLearner: ['admin'],
  },
  {
    route: 'src/pages/verwaltung/postausgang/[id].astro',
    url: (i) => `/verwaltung/postausgang/${i.mail}`,
    expect: onlyFor(['admin'], { otherDistrict: 'notfound' }),
    // the mail names its recipient; only the district's admin opens it
    seesLearner: ['admin'],
  },
  {
    route: 'src/pages/verwaltung/postausgang/[id].eml.ts',
    url: (i) => `/verwaltung/postausgang/${i.mail}.eml`,
    expect: onlyFor(['admin'], { otherDistrict: 'notfound' }),
    // the mail names its recipient; only the district's admin opens it
    seesLearner: ['admin'],
  },
  {
    route: 'src/pages/verwaltung/erinnerungen/index.astro',
    url: () => '/verwaltung/erinnerungen',
    expect: onlyFor(['admin', 'otherDistrict']),
  },
  {
    route: 'src/pages/verwaltung/erinnerungen/senden.astro',
    url: () => '/verwaltung/erinnerungen/senden?status=not-started',
    expect: onlyFor(['admin', 'otherDistrict']),
    // the preview names the people who would be reminded: the own district's admin only
    seesLearner: ['admin'],
  },
  { route: 'src/pages/verwaltung/aufbewahrung.astro', url: () => '/verwaltung/aufbewahrung', expect: onlyFor(['admin', 'otherDistrict']) },
  { route: 'src/pages/verwaltung/fragen.astro', url: () => '/verwaltung/fragen', expect: onlyFor(['admin', 'otherDistrict']) },
  { route: 'src/pages/verwaltung/anmeldung.astro', url: () => '/verwaltung/anmeldung', expect: onlyFor(['admin', 'otherDistrict']) },
  // single sign-on routes of a district without SSO (the matrix districts have none) or of no district: not found for everyone
  { route: 'src/pages/anmelden/sso/[tenant].ts', url: () => '/anmelden/sso/gibt-es-nicht', expect: all('notfound') },
  {
    route: 'src/pages/anmelden/sso/[tenant]/callback.ts',
    url: () => '/anmelden/sso/gibt-es-nicht/callback?code=x&state=y',
    expect: all('notfound'),
  },
];

/**
 * Astro actions, posted as forms to /_actions/NAME. `allowed` may act (their call is not refused); everyone else is
 * refused (401, 403 or 404) and nothing changes. `form` builds a valid form for the target of the matrix.
 */
export interface ActionEntry {
  action: string;
  form: (ids: MatrixIds) => Record<string, string>;
  allowed: readonly Principal[];
}

export const actionMatrix: ActionEntry[] = [
  { action: 'login', form: () => ({ email: 'niemand@test.example', password: 'falsch' }), allowed: principals },
  { action: 'completeLesson', form: (i) => ({ courseId: i.course, lessonId: i.lesson }), allowed: learners },
  { action: 'startQuiz', form: (i) => ({ courseId: i.course }), allowed: learners },
  // someone else's attempt: only its owner reaches it
  { action: 'answerQuizItem', form: (i) => ({ attemptId: i.attempt, itemId: 'gibt-es-nicht' }), allowed: ['learner'] },
  { action: 'submitQuiz', form: (i) => ({ attemptId: i.attempt }), allowed: ['learner'] },
  {
    action: 'assignPath',
    form: () => ({ pathId: 'sachbearbeitung', target: 'person', email: 'niemand@test.example' }),
    allowed: ['admin'],
  },
  { action: 'removeAssignment', form: () => ({ assignmentId: '00000000-0000-4000-8000-000000000000' }), allowed: ['admin'] },
  { action: 'createCohort', form: (i) => ({ name: 'Matrix-Kohorte', einheit: i.orgUnitA }), allowed: ['admin'] },
  { action: 'assignMultiplier', form: (i) => ({ cohortId: i.cohort, email: 'niemand@test.example' }), allowed: ['admin'] },
  { action: 'unassignMultiplier', form: (i) => ({ cohortId: i.cohort, userId: i.multiplier }), allowed: ['admin'] },
  { action: 'endCohort', form: (i) => ({ cohortId: i.cohort }), allowed: ['admin'] },
  // in-person sessions: the cohort's multiplier and the district's admin; another multiplier or district gets 404
  {
    action: 'createSession',
    form: (i) => ({
      cohortId: i.cohort,
      kind: 'workshop',
      topic: 'Matrix-Termin',
      date: '2030-01-07',
      time: '10:00',
      minutes: '60',
      place: 'Raum 1',
    }),
    allowed: ['multiplier', 'admin'],
  },
  {
    action: 'changeSession',
    form: (i) => ({
      sessionId: i.session,
      kind: 'workshop',
      topic: 'Matrix-Termin',
      date: '2030-01-07',
      time: '10:00',
      minutes: '60',
      place: 'Raum 1',
    }),
    allowed: ['multiplier', 'admin'],
  },
  { action: 'cancelSession', form: (i) => ({ sessionId: i.session }), allowed: ['multiplier', 'admin'] },
  { action: 'inviteToSession', form: (i) => ({ sessionId: i.session, person: i.learner }), allowed: ['multiplier', 'admin'] },
  { action: 'recordAttendance', form: (i) => ({ sessionId: i.session, anwesend: i.learner }), allowed: ['multiplier', 'admin'] },
  // a district's own setting: the other district's admin changes only theirs
  { action: 'updateMultiplierSettings', form: () => ({ mindestgruppe: '3' }), allowed: ['admin', 'otherDistrict'] },
  // starts an export of the actor's own scope (HR of the other district: of its own district)
  { action: 'startEvidenceExport', form: () => ({ format: 'csv' }), allowed: ['hr', 'hrScoped', 'otherDistrict'] },
  { action: 'revokeCertificate', form: (i) => ({ certificateId: i.certificate, reason: 'Fehler im Nachweis' }), allowed: ['hr', 'admin'] },
  {
    action: 'saveSsoSettings',
    form: () => ({
      enabled: 'on',
      issuer: 'https://sso.landkreis.example/realms/kiko',
      clientId: 'kiko',
      bindBy: 'verified-email',
      defaultJobRole: 'sachbearbeitung',
      passwordLogin: 'on',
    }),
    // the admins of the home district and of the other district (for their own district)
    allowed: ['admin', 'otherDistrict'],
  },
  { action: 'reissueCertificate', form: (i) => ({ certificateId: i.certificate }), allowed: ['hr', 'admin'] },
  // district administration: the home district's org unit and people (the other district's admin gets 404)
  { action: 'createOrgUnit', form: (i) => ({ code: 'MATRIX', name: 'Matrix-Einheit', parentId: i.orgUnitA }), allowed: ['admin'] },
  { action: 'renameOrgUnit', form: (i) => ({ orgUnitId: i.orgUnitA, code: 'A', name: 'Amt A' }), allowed: ['admin'] },
  { action: 'moveOrgUnit', form: (i) => ({ orgUnitId: i.orgUnitA, parentId: '' }), allowed: ['admin'] },
  { action: 'closeOrgUnit', form: (i) => ({ orgUnitId: i.orgUnitA }), allowed: ['admin'] },
  {
    action: 'createPerson',
    form: (i) => ({ name: 'Matrix Person', email: 'matrix.person@test.example', jobRole: 'sachbearbeitung', orgUnitId: i.orgUnitA }),
    allowed: ['admin'],
  },
  {
    action: 'changePerson',
    form: (i) => ({ userId: i.multiplier, orgUnitId: i.orgUnitA, jobRole: 'sachbearbeitung' }),
    allowed: ['admin'],
  },
  { action: 'setPersonRoles', form: (i) => ({ userId: i.multiplier, role: 'learner' }), allowed: ['admin'] },
  { action: 'setPersonActive', form: (i) => ({ userId: i.multiplier, active: 'nein' }), allowed: ['admin'] },
  { action: 'invitePerson', form: (i) => ({ userId: i.multiplier }), allowed: ['admin'] },
  { action: 'erasePerson', form: (i) => ({ userId: i.multiplier, confirmation: 'niemand@test.example' }), allowed: ['admin'] },
  // a district's own setting: the other district's admin changes only theirs
  { action: 'saveRetentionSetting', form: () => ({ enabled: 'ja', months: '12' }), allowed: ['admin', 'otherDistrict'] },
  // the import works on the actor's own district and own staged file
  { action: 'uploadImport', form: () => ({ datei: 'kein-file' }), allowed: ['admin', 'otherDistrict'] },
  {
    action: 'saveImportMapping',
    form: () => ({ uploadId: 'x', columnSource: 'Spalte', columnTarget: 'email' }),
    allowed: ['admin', 'otherDistrict'],
  },
  {
    action: 'applyImport',
    form: () => ({ uploadId: '00000000-0000-4000-8000-000000000000', deactivateMissing: 'nein' }),
    allowed: ['admin'],
  },
  // platform operator: districts (everyone else is refused before the form is read)
  {
    action: 'createDistrict',
    form: () => ({ name: 'Landkreis Matrix', slug: 'matrix', adminName: 'Matrix Admin', adminEmail: 'matrix.admin@test.example' }),
    allowed: ['operator'],
  },
  { action: 'setDistrictStatus', form: (i) => ({ tenantId: i.tenant, status: 'suspended', confirmation: 'x' }), allowed: ['operator'] },
  { action: 'discardImport', form: () => ({ uploadId: '00000000-0000-4000-8000-000000000000' }), allowed: ['admin'] },
];
