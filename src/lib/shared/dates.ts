/** Calendar helpers for the district's time zone (Europe/Berlin). */
const offsetFmt = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', timeZoneName: 'shortOffset' });

/** Minutes Berlin is ahead of UTC at the given instant (60 in winter, 120 in summer). */
export function berlinOffsetMinutes(at: Date): number {
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
