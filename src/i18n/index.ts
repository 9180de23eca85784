/** UI messages per locale; German is the default, English the second locale. */
import { de, type MessageKey } from './de.ts';
import { en } from './en.ts';

export type Locale = 'de' | 'en';
export const locales: readonly Locale[] = ['de', 'en'];
const messages: Record<Locale, Record<MessageKey, string>> = { de, en };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  return (key, params) => {
    let text = messages[locale][key] ?? de[key];
    if (params) for (const [k, v] of Object.entries(params)) text = text.replaceAll(`{${k}}`, String(v));
    return text;
  };
}

export function isLocale(value: unknown): value is Locale {
  return value === 'de' || value === 'en';
}
export type { MessageKey };
