/**
 * Noto Sans from @fontsource/noto-sans for satori (SVG/PNG) and pdfkit (embedded in the PDF).
 * Fontsource splits the font into unicode subsets; each subset gets its own family name and the
 * families form a fallback list, so "Müller", "Łukasiewicz", "Шевченко" and "Παπαδόπουλος" all render.
 * Files are read from node_modules once per process; nothing is downloaded.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Subsets in fallback order (first match wins). WOFF, not WOFF2: satori only reads WOFF/TTF/OTF. */
const SUBSETS = ['latin', 'latin-ext', 'cyrillic', 'cyrillic-ext', 'greek', 'greek-ext', 'vietnamese'] as const;
type Subset = (typeof SUBSETS)[number];

/** Font weights used by the certificate layout. */
export type CertificateFontWeight = 400 | 700;
const WEIGHTS: CertificateFontWeight[] = [400, 700];

/** A font as satori expects it. */
export interface SatoriFont {
  name: string;
  data: Buffer;
  weight: CertificateFontWeight;
  style: 'normal';
}

/** One registered font face: subset × weight, with its file contents. */
interface FontFace {
  subset: Subset;
  weight: CertificateFontWeight;
  family: string;
  data: Buffer;
}

const familyOf = (subset: Subset): string =>
  `Noto Sans ${subset.replace(/(^|-)(\w)/g, (_m, dash: string, c: string) => `${dash ? ' ' : ''}${c.toUpperCase()}`)}`;

/** CSS font-family value for satori: one family per subset, in fallback order. */
export const CERTIFICATE_FONT_FAMILY: string = SUBSETS.map((s) => `'${familyOf(s)}'`).join(', ');

let cache: { faces: FontFace[]; ranges: Map<Subset, Array<[number, number]>>; satori: SatoriFont[] } | null = null;

function load(): NonNullable<typeof cache> {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const file = (name: string): Buffer => readFileSync(require.resolve(`@fontsource/noto-sans/${name}`));
  const faces = SUBSETS.flatMap((subset) =>
    WEIGHTS.map((weight) => ({ subset, weight, family: familyOf(subset), data: file(`files/noto-sans-${subset}-${weight}-normal.woff`) })),
  );
  // unicode.json holds the CSS unicode-range of each subset, e.g. "U+0000-00FF,U+0131"
  const unicode = JSON.parse(file('unicode.json').toString('utf8')) as Record<string, string>;
  const ranges = new Map<Subset, Array<[number, number]>>(
    SUBSETS.map((s) => [
      s,
      (unicode[s] ?? '').split(',').map((r): [number, number] => {
        const [from = '0', to = from] = r.trim().replace(/^U\+/i, '').split('-');
        return [Number.parseInt(from, 16), Number.parseInt(to, 16)];
      }),
    ]),
  );
  const satori = faces.map((f): SatoriFont => ({ name: f.family, data: f.data, weight: f.weight, style: 'normal' }));
  cache = { faces, ranges, satori };
  return cache;
}

/** Returns the fonts for satori (same array each call, so satori can reuse its parsed fonts). */
export function satoriFonts(): SatoriFont[] {
  return load().satori;
}

/** pdfkit font name of a subset and weight, as registered by `pdfFontFaces`. */
const pdfName = (subset: Subset, weight: CertificateFontWeight): string => `NotoSans-${subset}-${weight}`;

/** Returns name and file contents of every face, to be registered with pdfkit's `registerFont`. */
export function pdfFontFaces(): Array<{ name: string; data: Buffer }> {
  return load().faces.map((f) => ({ name: pdfName(f.subset, f.weight), data: f.data }));
}

function inSubset(subset: Subset, codePoint: number): boolean {
  return (load().ranges.get(subset) ?? []).some(([from, to]) => codePoint >= from && codePoint <= to);
}

/**
 * Splits text into runs that one pdfkit font can draw (the fallback pdfkit lacks), returning the pdfkit font
 * name per run. A character stays in the running subset when that subset covers it (combining marks,
 * shared punctuation); characters outside every subset draw as .notdef boxes.
 */
export function splitIntoFontRuns(text: string, weight: CertificateFontWeight): Array<{ font: string; text: string }> {
  const runs: Array<{ font: string; text: string }> = [];
  let current: Subset = 'latin';
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0;
    if (!inSubset(current, cp)) current = SUBSETS.find((s) => inSubset(s, cp)) ?? current;
    const font = pdfName(current, weight);
    const last = runs[runs.length - 1];
    if (last && last.font === font) last.text += char;
    else runs.push({ font, text: char });
  }
  return runs;
}
