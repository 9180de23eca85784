/**
 * KIKO's record of processing (Art. 30 GDPR) at column level: every table with its purpose and retention, every
 * column either personal (with what it holds) or not. tests/unit/data-inventory.test.ts compares this with the drizzle
 * schema, so a new table or column cannot be added without deciding what it is for and how long it stays (the idea of
 * Moodle's privacy provider check). Ids that point at a person (user_id, actor, subject) count as personal: they are
 * pseudonymous, and erasure (src/lib/server/users/erase-person.ts) keeps them only together with the pseudonym.
 */

export interface TableInventory {
  /** Why the table exists (for the Verzeichnis von Verarbeitungstätigkeiten). */
  purpose: string;
  /** How long its rows are kept and what ends them. */
  retention: string;
  /** Columns with personal data → what they hold. */
  personal: Record<string, string>;
  /** Columns without personal data. */
  other: readonly string[];
}

const RECORD_RETENTION =
  'Unbefristet als Nachweis nach Art. 4 KI-Verordnung (nur anhängen); bei Löschung der Person bleiben die Einträge unter ihrem Pseudonym.';
const ACCOUNT_RETENTION =
  'Solange das Konto besteht; bei Löschung (Art. 17) pseudonymisiert, ebenso wenn die Aufbewahrungsfrist des Landkreises für deaktivierte Konten (Verwaltung › Aufbewahrung) abgelaufen ist.';

export const dataInventory: Record<string, TableInventory> = {
  tenants: {
    purpose: 'Landkreise der Installation mit Einstellungen (Marke, Unterzeichnende, Zertifikate).',
    retention: 'Solange der Landkreis KIKO nutzt.',
    personal: { settings: 'Name der unterzeichnenden Person (Zertifikate)' },
    other: ['id', 'slug', 'name', 'status', 'created_at', 'record_started_at'],
  },
  org_units: {
    purpose: 'Organisationsbaum des Landkreises (Zuweisung von Lernpfaden, Auswertungen).',
    retention: 'Unbefristet; geschlossene Einheiten bleiben für frühere Nachweise.',
    personal: {},
    other: ['id', 'tenant_id', 'parent_id', 'code', 'name', 'closed_at'],
  },
  users: {
    purpose: 'Konten der Beschäftigten: Anmeldung, Zuordnung zu Organisationseinheit und Tätigkeitsprofil, Rollen.',
    retention: ACCOUNT_RETENTION,
    personal: {
      id: 'Kennung der Person',
      email: 'dienstliche E-Mail-Adresse (Anmeldename)',
      name: 'Name',
      name_fold_1: 'Name in Sortierform, Zwischenschritt (aus dem Namen berechnet, nicht gespeichert)',
      name_fold_2: 'Name in Sortierform, Zwischenschritt (aus dem Namen berechnet, nicht gespeichert)',
      name_fold_3: 'Name in Sortierform, Zwischenschritt (aus dem Namen berechnet, nicht gespeichert)',
      name_sort: 'Name in Sortierform für Listen und Suche (aus dem Namen berechnet, nicht gespeichert)',
      org_unit_id: 'Organisationseinheit',
      job_role: 'Tätigkeitsprofil',
      status: 'Kontostatus',
      password_hash: 'Passwort (argon2id-Hash)',
      external_id: 'Personalnummer',
      created_at: 'Anlagedatum',
      deactivated_at: 'Deaktivierungsdatum',
      last_login_at: 'letzte Anmeldung',
    },
    other: ['tenant_id'],
  },
  user_roles: {
    purpose: 'Rollen einer Person (Berechtigungen) und ihr Bereich.',
    retention: ACCOUNT_RETENTION,
    personal: { user_id: 'Person', role: 'Rolle', scope_org_unit_id: 'Bereich der Rolle' },
    other: ['tenant_id'],
  },
  sessions: {
    purpose: 'Angemeldete Sitzungen.',
    retention: 'Bis zur Abmeldung, nach Leerlauf oder Höchstdauer; sofort bei Deaktivierung oder Löschung.',
    personal: { user_id: 'Person', created_at: 'Anmeldezeit', last_used_at: 'letzte Nutzung' },
    other: ['id', 'secret_hash'],
  },
  rate_limits: {
    purpose: 'Schutz vor Passwort-Raten (Zähler je Konto, Gerät und Adresse).',
    retention:
      'Zählerstände verfallen nach dem Zählfenster (höchstens eine Stunde); abgelaufene Zeilen werden beim nächsten Versuch desselben Schlüssels überschrieben, nicht eigens gelöscht.',
    personal: { key: 'E-Mail-Adresse und IP-Adresse der Anmeldeversuche' },
    other: ['points', 'expire'],
  },
  learning_events: {
    purpose: 'Der Lernnachweis: jede Lernhandlung, Zuordnung und Rollenänderung mit Zeitpunkt (Art. 4 KI-Verordnung).',
    retention: RECORD_RETENTION,
    personal: {
      user_id: 'Person',
      data: 'Zugehörigkeit, Antworten, Punkte der Person',
      actor_id: 'wer den Eintrag verursacht hat',
      effective_at: 'Zeitpunkt der Lernhandlung',
      recorded_at: 'Zeitpunkt der Erfassung',
    },
    other: ['seq', 'tenant_id', 'org_unit_id', 'type', 'subject', 'ref', 'version', 'how', 'idem_key'],
  },
  lesson_progress: {
    purpose: 'Aktueller Lernstand je Lektion (Projektion des Lernnachweises).',
    retention: RECORD_RETENTION,
    personal: {
      user_id: 'Person',
      started_at: 'Beginn',
      completed_at: 'Abschluss',
      completed_recorded_at: 'Erfassung des Abschlusses',
      last_seen_at: 'letzter Besuch',
    },
    other: ['tenant_id', 'course_id', 'lesson_id', 'lesson_version'],
  },
  course_progress: {
    purpose: 'Anzahl begonnener und abgeschlossener Lektionen je Person und Kurs (Projektion von lesson_progress).',
    retention: RECORD_RETENTION,
    personal: {
      user_id: 'Person',
      lessons: 'begonnene Lektionen',
      lessons_done: 'abgeschlossene Lektionen',
    },
    other: ['tenant_id', 'course_id'],
  },
  quiz_attempts: {
    purpose: 'Quizversuche mit Ergebnis (Projektion des Lernnachweises).',
    retention: RECORD_RETENTION,
    personal: {
      user_id: 'Person',
      started_at: 'Beginn',
      submitted_at: 'Abgabe',
      score: 'Punkte',
      max_score: 'erreichbare Punkte',
      passed: 'bestanden',
      duration_ms: 'Dauer',
      status: 'Stand des Versuchs',
    },
    other: ['id', 'tenant_id', 'quiz_id', 'course_id', 'quiz_version', 'seed', 'layout', 'expires_at'],
  },
  quiz_responses: {
    purpose: 'Antworten eines Quizversuchs.',
    retention: RECORD_RETENTION,
    personal: { attempt_id: 'Versuch der Person', response: 'gegebene Antwort', score: 'Punkte', answered_at: 'Zeitpunkt' },
    other: ['tenant_id', 'item_id'],
  },
  course_completions: {
    purpose: 'Abgeschlossene Kurse und wie (online, in Präsenz, anerkannt).',
    retention: RECORD_RETENTION,
    personal: { user_id: 'Person', completed_at: 'Abschluss', how: 'Weg des Abschlusses', quiz_attempt_id: 'zugehöriger Versuch' },
    other: ['id', 'tenant_id', 'course_id', 'course_version'],
  },
  path_assignments: {
    purpose: 'Zuweisungen von Lernpfaden an Personen oder Organisationseinheiten.',
    retention: 'Solange die Zuweisung gilt; das Ende steht im Lernnachweis.',
    personal: { user_id: 'Person (persönliche Zuweisung)', assigned_by: 'zuweisende Person', due_at: 'Fälligkeit' },
    other: ['id', 'tenant_id', 'org_unit_id', 'path_id', 'created_at'],
  },
  certificates: {
    purpose: 'Ausgestellte Zertifikate und ihre Prüfbarkeit (Widerruf).',
    retention: 'Unbefristet, damit Echtheit und Widerruf prüfbar bleiben.',
    personal: {
      user_id: 'Person',
      payload: 'signierter Inhalt mit Name der Person',
      issued_at: 'Ausstellung',
      expires_at: 'Gültigkeit',
      revoked_at: 'Widerruf',
      revoked_reason: 'Grund des Widerrufs',
    },
    other: ['id', 'tenant_id', 'kind', 'achievement_id', 'signature', 'key_id', 'replaces_id'],
  },
  cohorts: {
    purpose: 'Lerngruppen der KI-Multiplikator:innen.',
    retention: 'Bis die Gruppe endet, danach für Auswertungen.',
    personal: {},
    other: ['id', 'tenant_id', 'name', 'created_at', 'ended_at'],
  },
  cohort_multipliers: {
    purpose: 'Welche Multiplikator:innen eine Gruppe betreuen (deren Sichtbereich).',
    retention: ACCOUNT_RETENTION,
    personal: { user_id: 'Person (Multiplikator:in)' },
    other: ['cohort_id', 'tenant_id'],
  },
  training_sessions: {
    purpose: 'Präsenztermine der Multiplikator:innen (Präsenzschulung, Workshop, Sprechstunde) für eine Kohorte.',
    retention: 'Unbefristet als Nachweis der Maßnahmen nach Art. 4 KI-Verordnung.',
    personal: { created_by: 'Person, die den Termin angelegt hat' },
    other: [
      'id',
      'tenant_id',
      'cohort_id',
      'kind',
      'topic',
      'course_id',
      'lesson_id',
      'starts_at',
      'minutes',
      'place',
      'online_url',
      'cancelled_at',
      'sequence',
      'created_at',
      'updated_at',
    ],
  },
  training_session_multipliers: {
    purpose: 'Wer einen Präsenztermin leitet (Kaskade je Multiplikator:in).',
    retention: 'Wie der Termin; bei Löschung der Person pseudonymisiert.',
    personal: { user_id: 'Person (Multiplikator:in)' },
    other: ['session_id', 'tenant_id'],
  },
  training_session_invitations: {
    purpose: 'Wer zu einem Präsenztermin eingeladen wurde (Einladung und Änderungen per E-Mail).',
    retention: 'Wie der Termin; bei Löschung der Person pseudonymisiert.',
    personal: { user_id: 'eingeladene Person', invited_at: 'Zeitpunkt der Einladung', invited_by: 'einladende Person' },
    other: ['session_id', 'tenant_id'],
  },
  content_versions: {
    purpose: 'Archiv der ausgelieferten Inhaltsfassungen (was gelernt wurde).',
    retention: 'Unbefristet.',
    personal: {},
    other: ['kind', 'content_id', 'version', 'title', 'data', 'archived', 'first_served_at'],
  },
  coverage_months: {
    purpose: 'Zwischenspeicher der Monatszahlen für Personal und Personalrat (aus dem Lernnachweis berechnet).',
    retention: 'Cache: wird verworfen, sobald ein rückdatierter Eintrag den Monat betrifft, und neu berechnet.',
    personal: {},
    other: ['tenant_id', 'month_end', 'recorded_by', 'groups'],
  },
  audit_events: {
    purpose: 'Manipulationssicheres Audit-Protokoll (Hash-Kette) ohne personenbezogene Angaben.',
    retention: 'Unbefristet (nur anhängen).',
    personal: { at: 'Zeitpunkt einer Handlung (mit dem persönlichen Teil einer Person zuordenbar)' },
    other: [
      'seq',
      'tenant_id',
      'actor_id',
      'type',
      'subject_id',
      'data',
      'prev_hash',
      'hash',
      'format',
      'chain',
      'chain_seq',
      'personal_hash',
    ],
  },
  audit_personal: {
    purpose: 'Personenbezogener Teil der Audit-Einträge (wer, über wen, Namen, Gründe), getrennt und löschbar.',
    retention: 'Bis zur Löschung der Person (Art. 17); dann geleert, die Kette bleibt prüfbar.',
    personal: { person_id: 'Person, um die es geht', data: 'handelnde und betroffene Person, Namen, E-Mail, Gründe' },
    other: ['seq', 'chain', 'salt', 'erased_by'],
  },
  audit_checkpoints: {
    purpose: 'Signierte Kontrollpunkte der Audit-Kette.',
    retention: 'Unbefristet.',
    personal: {},
    other: ['chain', 'chain_seq', 'hash', 'at', 'key_id', 'public_key', 'signature'],
  },
  cohort_rules: {
    purpose: 'Wer zu einer Kohorte gehört: Organisationseinheiten (mit oder ohne Untereinheiten) und einzeln gewählte Personen.',
    retention: 'Unbefristet mit Gültigkeitszeitraum, damit die Kohorte für frühere Stichtage stimmt.',
    personal: { user_id: 'einzeln gewählte Person' },
    other: ['id', 'cohort_id', 'tenant_id', 'kind', 'org_unit_id', 'include_subunits', 'valid_from', 'valid_to'],
  },
  user_identities: {
    purpose: 'Verknüpfung einer Person mit ihrem Konto beim Anmeldedienst des Landkreises (Single Sign-on).',
    retention: ACCOUNT_RETENTION,
    personal: {
      user_id: 'Person',
      subject: 'Kennung der Person beim Anmeldedienst',
      created_at: 'erste Anmeldung über den Dienst',
      last_login_at: 'letzte Anmeldung über den Dienst',
    },
    other: ['id', 'tenant_id', 'issuer'],
  },
  sso_login_states: {
    purpose: 'Begonnene Anmeldungen beim Anmeldedienst bis zur Rückkehr (Schutz gegen untergeschobene Anmeldungen).',
    retention: 'Bis zur Rückkehr vom Anmeldedienst (einmal verwendbar) oder bis zum Ablauf nach wenigen Minuten.',
    personal: { browser_hash: 'Hash eines Geheimnisses im Browser der Person', return_to: 'aufgerufene Seite' },
    other: ['state', 'tenant_id', 'code_verifier', 'nonce', 'created_at', 'expires_at'],
  },
  sso_sessions: {
    purpose: 'Sitzungen, die mit Single Sign-on begannen (Abmelden auch beim Anmeldedienst).',
    retention: 'Wie die Sitzung (endet mit ihr).',
    personal: { session_id: 'Sitzung der Person' },
    other: ['tenant_id', 'issuer'],
  },
  mail_messages: {
    purpose: 'Ausgehende E-Mails (Passwort, Einladung, Erinnerung) mit Zustellversuchen; Postausgang der Verwaltung.',
    retention:
      'Als Versandprotokoll ohne automatische Löschung; bei Löschung der Person werden Adresse und Text entfernt, Datum und Status bleiben.',
    personal: {
      user_id: 'Empfänger:in',
      to_address: 'E-Mail-Adresse',
      subject: 'Betreff (kann den Namen nennen)',
      body_text: 'Text mit Name und Link',
      body_html: 'Text mit Name und Link (HTML)',
      attachments: 'Kalenderdatei eines Termins (nennt die leitenden Multiplikator:innen)',
      created_at: 'Zeitpunkt des Versands',
      sent_at: 'Zeitpunkt der Zustellung',
    },
    other: [
      'id',
      'tenant_id',
      'template',
      'status',
      'attempts',
      'next_attempt_at',
      'claimed_until',
      'last_error',
      'message_id',
      'idempotency_key',
    ],
  },
  reminder_templates: {
    purpose: 'Texte der Erinnerungen eines Landkreises.',
    retention: 'Solange der Landkreis sie nutzt.',
    personal: {},
    other: ['id', 'tenant_id', 'name', 'subject', 'body', 'created_at', 'updated_at'],
  },
  reminder_log: {
    purpose: 'Welche Erinnerung wann an wen ging (Sperrfrist, Anzeige für die Lernenden).',
    retention: 'Ohne automatische Löschung; der Bezug zur Person bleibt pseudonym nach ihrer Löschung.',
    personal: { user_id: 'erinnerte Person', sent_by: 'wer erinnert hat', sent_at: 'Zeitpunkt' },
    other: ['id', 'tenant_id', 'template_id', 'mail_id', 'batch_key'],
  },
  password_tokens: {
    purpose: 'Einmal-Links zum Setzen eines Passworts (vergessenes Passwort, Einladung).',
    retention:
      'Bis zur Verwendung, bis ein neuer Link sie ersetzt, oder bis zur Löschung der Person; abgelaufene bleiben bis dahin (ungültig).',
    personal: { user_id: 'Person', created_at: 'Anforderung', used_at: 'Verwendung', expires_at: 'Ablauf' },
    other: ['id', 'secret_hash', 'tenant_id', 'purpose'],
  },
  job_leases: {
    purpose: 'Welcher Serverprozess einen geplanten Auftrag ausführt, und dessen letztes Ergebnis.',
    retention: 'Eine Zeile je Auftrag, überschrieben bei jedem Lauf.',
    personal: {},
    other: ['name', 'holder', 'expires_at', 'last_started_at', 'last_finished_at', 'last_result', 'last_ok'],
  },
  evidence_export_jobs: {
    purpose:
      'Nachweis-Exporte, die Personal im Browser gestartet hat: Auswahl, Fortschritt, Datei, Fingerabdruck (Liste früherer Exporte).',
    retention:
      'Die Zeile bleibt als Liste früherer Exporte; die Datei (mit Namen der Beschäftigten) wird nach KIKO_EXPORT_RETENTION_DAYS Tagen (Standard 30) gelöscht.',
    personal: {
      requested_by: 'Person, die den Export gestartet hat',
      created_at: 'Zeitpunkt des Auftrags',
      file_name: 'Datei mit den Nachweisen der ausgewählten Personen',
    },
    other: [
      'id',
      'tenant_id',
      'scope_units',
      'selection',
      'state',
      'done',
      'total',
      'people',
      'download_name',
      'size',
      'fingerprint',
      'file_sha256',
      'error',
      'claimed_by',
      'claimed_until',
      'started_at',
      'finished_at',
    ],
  },
  import_mappings: {
    purpose: 'Gespeicherte Zuordnung von Spalten und Tätigkeitsprofilen für Personal-Importe.',
    retention: 'Solange der Landkreis sie nutzt.',
    personal: {},
    other: ['tenant_id', 'kind', 'source', 'target', 'updated_at'],
  },
  import_uploads: {
    purpose: 'Hochgeladene Personal-Datei zwischen Vorschau und Übernahme.',
    retention: 'Bis zur Übernahme oder zum Verwerfen, höchstens einen Tag (wird beim nächsten Hochladen entfernt).',
    personal: { content: 'Personaldaten der Datei (Namen, E-Mail, Personalnummern)', uploaded_by: 'hochladende Person' },
    other: ['id', 'tenant_id', 'file_name', 'created_at'],
  },
  import_runs: {
    purpose: 'Fortschritt und Ergebnis eines Personal-Imports, der in kurzen Schritten übernommen wird.',
    retention: 'Solange der Landkreis besteht (nur Zahlen, Zeilennummern und die Prüfsumme der Datei).',
    personal: { actor_id: 'übernehmende Person' },
    other: [
      'id',
      'tenant_id',
      'file_hash',
      'state',
      'total',
      'done',
      'created',
      'changed',
      'deactivated',
      'unchanged',
      'skipped',
      'started_at',
      'heartbeat_at',
      'finished_at',
    ],
  },
  import_run_batches: {
    purpose: 'Geplante Personen eines laufenden Personal-Imports, schrittweise übernommen (auch nach einem Absturz).',
    retention: 'Bis der Import abgeschlossen ist (dann gelöscht).',
    personal: { rows: 'Personaldaten der Datei (Namen, E-Mail, Personalnummern) und der bisherige Stand der Personen' },
    other: ['run_id', 'seq', 'kind', 'done_at'],
  },
};
