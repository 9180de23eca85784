/**
 * The two dates of every evidence figure, as HR enters them (form, CLI): "Stand am" (as of: a calendar day, the
 * figures at its end in Europe/Berlin; today means now) and "erfasst bis" (recording cut-off: a day or a day and
 * time; default now). Both are taken to the full minute, so a link or an export with the printed dates gives the same
 * figures again. Whether the dates are allowed (not in the future, not before the record began) is decided by
 * evidence/status-as-of.ts `checkAsOf`.
 */
import { berlinOffsetMinutes, endOfDayBerlin } from '../../shared/dates.ts';
import { ValidationError } from '../errors/domain-errors.ts';

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Berlin's wall clock at an instant: the instant shifted by Berlin's offset then, read as UTC. */
function berlinParts(d: Date): Record<'year' | 'month' | 'day' | 'hour' | 'minute', string> {
  const wall = new Date(d.getTime() + berlinOffsetMinutes(d) * 60_000);
  return {
    year: String(wall.getUTCFullYear()).padStart(4, '0'),
    month: two(wall.getUTCMonth() + 1),
    day: two(wall.getUTCDate()),
    hour: two(wall.getUTCHours()),
    minute: two(wall.getUTCMinutes()),
  };
}

/** The Berlin calendar day of an instant, "YYYY-MM-DD" (the value of a date input). */
export function berlinDay(d: Date): string {
  const p = berlinParts(d);
  return `${p.year}-${p.month}-${p.day}`;
}

/** The Berlin wall time of an instant, "YYYY-MM-DDTHH:MM" (the value of a datetime-local input). */
export function berlinMinute(d: Date): string {
  const p = berlinParts(d);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** The instant of a Berlin wall time. */
function fromBerlinWall(y: number, mo: number, d: number, h: number, mi: number): Date {
  const wallAsUtc = Date.UTC(y, mo - 1, d, h, mi);
  // the offset at the wall time read as UTC is right except within the hour of a switch, where either reading is fine
  return new Date(wallAsUtc - berlinOffsetMinutes(new Date(wallAsUtc)) * 60_000);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/;
const GERMAN = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,? (\d{1,2}):(\d{2}))?$/;

/** Parses "YYYY-MM-DD[THH:MM]" or "TT.MM.JJJJ[ HH:MM]" into its parts; throws a German ValidationError. */
function parseParts(value: string, label: string): { y: number; mo: number; d: number; time: [number, number] | null } {
  const v = value.trim();
  const iso = ISO.exec(v);
  const de = iso ? null : GERMAN.exec(v);
  const m = iso ?? de;
  if (!m) throw new ValidationError(`${label}: Bitte ein Datum wie 31.12.2026 oder 2026-12-31 angeben.`, { [label]: 'Datum' });
  const [y, mo, d] = iso ? [Number(m[1]), Number(m[2]), Number(m[3])] : [Number(m[3]), Number(m[2]), Number(m[1])];
  const time: [number, number] | null = m[4] !== undefined ? [Number(m[4]), Number(m[5])] : null;
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (
    probe.getUTCFullYear() !== y ||
    probe.getUTCMonth() !== mo - 1 ||
    probe.getUTCDate() !== d ||
    (time && (time[0] > 23 || time[1] > 59))
  )
    throw new ValidationError(`${label}: Den ${v} gibt es nicht.`, { [label]: 'Datum' });
  return { y, mo, d, time };
}

/** Now, to the full minute. */
export function currentMinute(now: Date): Date {
  return new Date(Math.floor(now.getTime() / 60_000) * 60_000);
}

/** A day means its end in Berlin, today means now (to the minute); a day with time means that minute. */
function resolve(value: string, label: string, now: Date): Date {
  const { y, mo, d, time } = parseParts(value, label);
  if (time) return fromBerlinWall(y, mo, d, time[0], time[1]);
  const day = `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  if (day === berlinDay(now)) return currentMinute(now);
  return new Date(Math.floor(endOfDayBerlin(day).getTime() / 60_000) * 60_000);
}

export interface EvidenceDates {
  asOf: Date;
  recordedBy: Date;
}

/** The dates of a request or command; missing or empty values mean now. */
export function resolveEvidenceDates(input: { asOf?: string | null; recordedBy?: string | null }, now: Date): EvidenceDates {
  const asOf = input.asOf?.trim() ? resolve(input.asOf, 'Stand am', now) : currentMinute(now);
  const recordedBy = input.recordedBy?.trim() ? resolve(input.recordedBy, 'Erfasst bis', now) : currentMinute(now);
  return { asOf, recordedBy };
}

/** An activity period: from the start of "von" to the end of "bis" (Berlin days; a "bis" of today ends now). */
export interface EvidencePeriod {
  from: Date;
  to: Date;
}

/**
 * The period of an export ("Zeitraum von/bis") as HR enters it; both empty means no period. Checks what needs no
 * database: both given, von ≤ bis, neither in the future. Whether it starts before the district's record and ends by
 * the as-of date decides `checkPeriod` (prepare-evidence-export.ts).
 */
export function resolvePeriod(input: { from?: string | null; to?: string | null }, now: Date): EvidencePeriod | null {
  const fromText = input.from?.trim() ?? '';
  const toText = input.to?.trim() ?? '';
  if (!fromText && !toText) return null;
  if (!fromText || !toText)
    throw new ValidationError('Zeitraum: Bitte beide Daten angeben, „von“ und „bis“ (oder beide leer lassen).', {
      [fromText ? 'bis' : 'von']: 'Datum',
    });
  const f = parseParts(fromText, 'Zeitraum von');
  const t = parseParts(toText, 'Zeitraum bis');
  const from = fromBerlinWall(f.y, f.mo, f.d, 0, 0);
  const toDay = `${String(t.y).padStart(4, '0')}-${String(t.mo).padStart(2, '0')}-${String(t.d).padStart(2, '0')}`;
  if (from > now) throw new ValidationError(`Zeitraum: Der Beginn ${fromText} liegt in der Zukunft.`, { von: 'Datum' });
  if (toDay > berlinDay(now))
    throw new ValidationError(`Zeitraum: Das Ende ${toText} liegt in der Zukunft. Bitte ein Datum bis heute wählen.`, { bis: 'Datum' });
  const to = toDay === berlinDay(now) ? currentMinute(now) : new Date(Math.floor(endOfDayBerlin(toDay).getTime() / 60_000) * 60_000);
  if (from > to) throw new ValidationError('Zeitraum: „von“ muss vor oder auf „bis“ liegen.', { von: 'Datum' });
  return { from, to };
}
