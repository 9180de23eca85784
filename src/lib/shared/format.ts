/** German formatting helpers for dates, minutes and percentages. */
const dateFmt = new Intl.DateTimeFormat('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Europe/Berlin' });
const dateTimeFmt = new Intl.DateTimeFormat('de-DE', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/Berlin',
});

const longDateFmt = {
  de: new Intl.DateTimeFormat('de-DE', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Berlin' }),
  en: new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Berlin' }),
};

/** A date with the month written out, in Europe/Berlin: "3. Dezember 2026" (German) or "3 December 2026". */
export function formatLongDate(d: Date | string, locale: 'de' | 'en' = 'de'): string {
  return longDateFmt[locale].format(typeof d === 'string' ? new Date(d) : d);
}

/** Dates given as text (a lesson's "Stand" from its front matter) are the same few on every page: formatted once. */
const formattedTexts = new Map<string, string>();
const MAX_FORMATTED_TEXTS = 1_000;

export function formatDate(d: Date | string | null | undefined): string {
  if (!d) return '–';
  if (typeof d !== 'string') return dateFmt.format(d);
  let formatted = formattedTexts.get(d);
  if (formatted === undefined) {
    formatted = dateFmt.format(new Date(d));
    if (formattedTexts.size < MAX_FORMATTED_TEXTS) formattedTexts.set(d, formatted);
  }
  return formatted;
}

export function formatDateTime(d: Date | null | undefined): string {
  return d ? `${dateTimeFmt.format(d)} Uhr` : '–';
}

const timeFmt = new Intl.DateTimeFormat('de-DE', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' });

/** Clock time in Berlin, e.g. "14:05" (for "try again at …"). */
export function formatTime(d: Date): string {
  return timeFmt.format(d);
}

export function formatMinutes(min: number): string {
  if (min < 60) return `${min} Min.`;
  const h = Math.floor(min / 60);
  const m = min % 60;
  return m === 0 ? `${h} Std.` : `${h} Std. ${m} Min.`;
}
