/**
 * Reminder texts: subject and body with the fields {name}, {kurs}, {faellig} and {link}. A template is checked
 * before anything is sent: an unknown field (a typo such as {fällig}) is refused with a German message.
 */
import { ValidationError } from '../errors/domain-errors.ts';

export const TEMPLATE_FIELDS = ['name', 'kurs', 'faellig', 'link'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

export interface ReminderText {
  subject: string;
  body: string;
}

/** KIKO's German default, used until the district saves its own. */
export const DEFAULT_REMINDER: ReminderText & { name: string } = {
  name: 'Standard-Erinnerung',
  subject: 'Erinnerung: {kurs} in KIKO',
  body: `Guten Tag {name},

in Ihrem Lernpfad in KIKO ist der Kurs „{kurs}“ noch offen (fällig: {faellig}).
Sie können direkt hier weitermachen:

{link}

Die Schulung ist Teil der KI-Kompetenz nach Art. 4 der KI-Verordnung. Bei Fragen hilft Ihnen Ihre KI-Multiplikatorin
oder Ihr KI-Multiplikator gern weiter.

Diese Nachricht wurde automatisch von KIKO versandt.`,
};

const TOKEN = /\{([^{}\s]{0,40})\}/g;

/** The German problem of a template, or null when it can be used. */
export function reminderTextProblem(text: ReminderText): string | null {
  if (!text.subject.trim()) return 'Bitte einen Betreff angeben.';
  if (!text.body.trim()) return 'Bitte einen Text angeben.';
  if (text.subject.length > 200) return 'Der Betreff darf höchstens 200 Zeichen lang sein.';
  if (text.body.length > 10_000) return 'Der Text darf höchstens 10.000 Zeichen lang sein.';
  const unknown = new Set<string>();
  for (const part of [text.subject, text.body])
    for (const m of part.matchAll(TOKEN)) if (!(TEMPLATE_FIELDS as readonly string[]).includes(m[1] as string)) unknown.add(`{${m[1]}}`);
  if (unknown.size > 0)
    return `${unknown.size === 1 ? 'Unbekanntes Vorlagenfeld' : 'Unbekannte Vorlagenfelder'} ${[...unknown].join(', ')}. Erlaubt sind ${TEMPLATE_FIELDS.map((p) => `{${p}}`).join(', ')}.`;
  if (/[\r\n]/.test(text.subject)) return 'Der Betreff muss in einer Zeile stehen.';
  return null;
}

/** Throws a ValidationError (German) for an unusable template. */
export function requireValidReminderText(text: ReminderText): void {
  const problem = reminderTextProblem(text);
  if (problem) throw new ValidationError(problem, { template: problem });
}

/** Fills the fields (the template must be valid). */
export function renderReminder(text: ReminderText, values: Record<TemplateField, string>): ReminderText {
  const fill = (s: string): string => s.replace(TOKEN, (all, name: string) => values[name as TemplateField] ?? all);
  return { subject: fill(text.subject).replace(/[\r\n]+/g, ' '), body: fill(text.body) };
}
