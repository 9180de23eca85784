/** Calendar helpers for the district's time zone (Europe/Berlin). */
const offsetFmt = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', timeZoneName: 'shortOffset' });

/** Offsets already asked for, per UTC hour (Berlin's clock changes at 01:00 UTC, so an hour has one offset). */
const offsetByHour = new Map<number, number>();
const HOUR = 3_600_000;

/** Minutes Berlin is ahead of UTC at the given instant (60 in winter, 120 in summer). */
export function berlinOffsetMinutes(at: Date): number {
  const hour = Math.floor(at.getTime() / HOUR);
  const known = offsetByHour.get(hour);
  if (known !== undefined) return known;
  const minutes = offsetFromIntl(at);
  if (offsetByHour.size >= 50_000) offsetByHour.clear();
  offsetByHour.set(hour, minutes);
  return minutes;
}

function offsetFromIntl(at: Date): number {
  const name = offsetFmt.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT+1';
  const m = /GMT([+-])(\d{1,2})(?::(\d{2}))?/.exec(name);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/** The last second of a calendar day (YYYY-MM-DD) in Berlin, e.g. for due dates. */
export function endOfDayBerlin(isoDate: string): Date {
  const [y, mo, d] = isoDate.split('-').map(Number) as [number, number, number];
  const wallAsUtc = Date.UTC(y, mo - 1, d, 23, 59, 59);
  return new Date(wallAsUtc - berlinOffsetMinutes(new Date(wallAsUtc)) * 60_000);
}

/** The instant of a wall-clock time in Berlin (date YYYY-MM-DD, time HH:MM); null when either is not a real date/time. */
export function berlinWallTime(isoDate: string, time: string): Date | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return null;
  const [y, mo, day, h, mi] = [Number(d[1]), Number(d[2]), Number(d[3]), Number(t[1]), Number(t[2])];
  if (h > 23 || mi > 59) return null;
  const wallAsUtc = Date.UTC(y, mo - 1, day, h, mi);
  const check = new Date(wallAsUtc);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== day) return null;
  return new Date(wallAsUtc - berlinOffsetMinutes(new Date(wallAsUtc)) * 60_000);
}

const berlinParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Berlin',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** Date (YYYY-MM-DD) and time (HH:MM) of an instant in Berlin, as a form's date and time fields take them. */
export function berlinDateAndTime(at: Date): { date: string; time: string } {
  const p = Object.fromEntries(berlinParts.formatToParts(at).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}
