/**
 * Noto Sans from @fontsource/noto-sans for satori (SVG/PNG) and pdfkit (embedded in the PDF).
 * Fontsource splits the font into unicode subsets; each subset gets its own family name and the
 * families form a fallback list, so "Müller", "Łukasiewicz", "Шевченко" and "Παπαδόπουλος" all render.
 * Files are read from node_modules once per process and unpacked from WOFF to plain SFNT (TrueType)
 * once, so neither satori nor pdfkit's fontkit inflates a font per certificate (that inflate was more
 * than half of the PDF render time); nothing is downloaded.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';

/** Subsets in fallback order (first match wins). WOFF, not WOFF2: satori only reads WOFF/TTF/OTF. */
const SUBSETS = ['latin', 'latin-ext', 'cyrillic', 'cyrillic-ext', 'greek', 'greek-ext', 'vietnamese'] as const;
type Subset = (typeof SUBSETS)[number];

/** Font weights used by the certificate layout. */
export type CertificateFontWeight = 400 | 700;
const WEIGHTS: CertificateFontWeight[] = [400, 700];

/**
 * Unpacks a WOFF 1.0 file into the SFNT (TrueType/OpenType) font it wraps (https://www.w3.org/TR/WOFF/#OverallStructure):
 * every table is inflated when compressed and laid out 4-byte aligned behind a regular SFNT table directory.
 * Returns other input unchanged.
 */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.length < 44 || woff.readUInt32BE(0) !== 0x774f4646 /* wOFF */) return woff;
  const numTables = woff.readUInt16BE(12);
  const tables = Array.from({ length: numTables }, (_, i) => {
    const at = 44 + i * 20;
    const [tag, offset, compLength, origLength, checksum] = [0, 4, 8, 12, 16].map((o) => woff.readUInt32BE(at + o)) as [
      number,
      number,
      number,
      number,
      number,
    ];
    const raw = woff.subarray(offset, offset + compLength);
    const data = compLength < origLength ? inflateSync(raw) : raw;
    if (data.length !== origLength) throw new Error(`WOFF-Tabelle ${tag.toString(16)}: Länge ${data.length} statt ${origLength}`);
    return { tag, checksum, data };
  });
  const pad4 = (n: number): number => (n + 3) & ~3;
  const headerSize = 12 + 16 * numTables;
  const out = Buffer.alloc(headerSize + tables.reduce((sum, t) => sum + pad4(t.data.length), 0));
  const power = 2 ** Math.floor(Math.log2(numTables));
  out.writeUInt32BE(woff.readUInt32BE(4), 0); // flavor = sfntVersion
  out.writeUInt16BE(numTables, 4);
  out.writeUInt16BE(power * 16, 6);
  out.writeUInt16BE(Math.log2(power), 8);
  out.writeUInt16BE(numTables * 16 - power * 16, 10);
  let offset = headerSize;
  tables.forEach((t, i) => {
    const at = 12 + i * 16;
    out.writeUInt32BE(t.tag, at);
    out.writeUInt32BE(t.checksum, at + 4);
    out.writeUInt32BE(offset, at + 8);
    out.writeUInt32BE(t.data.length, at + 12);
    t.data.copy(out, offset);
    offset += pad4(t.data.length);
  });
  return out;
}

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
    WEIGHTS.map((weight) => ({
      subset,
      weight,
      family: familyOf(subset),
      data: woffToSfnt(file(`files/noto-sans-${subset}-${weight}-normal.woff`)),
    })),
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
