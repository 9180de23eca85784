/**
 * Turns satori's <text> elements (rendered with `embedFont: false`) into real PDF text: parse them,
 * group them into lines per layout box, and draw each line with pdfkit at satori's baseline position,
 * switching between the Noto Sans subset fonts where needed. The result is selectable, searchable text
 * at exactly the place where the SVG/PNG rendering shows it.
 */
import { type CertificateFontWeight, splitIntoFontRuns } from './certificate-fonts.ts';
import type { LayoutBox } from './render-certificate.ts';

/** One line of text in page coordinates (y is the baseline). */
export interface TextLine {
  x: number;
  y: number;
  fontSize: number;
  weight: CertificateFontWeight;
  fill: string;
  letterSpacing: number;
  text: string;
}

/** The lines of one text leaf of the layout, with its structure role. */
export interface TextBlock {
  role: string;
  lines: TextLine[];
  /** The layout box of the text (null for stray pieces). */
  box: LayoutBox | null;
}

const TEXT_ELEMENT = /<text\b([^>]*)>([^<]*)<\/text>/g;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ENTITIES[e] ?? m;
  });
}

function attributes(raw: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const [, name, value] of raw.matchAll(/([\w:-]+)="([^"]*)"/g)) if (name) attrs[name] = value ?? '';
  return attrs;
}

/** Returns the SVG without its <text> elements, and those elements as single-style text pieces. */
export function extractSvgText(svg: string): { rest: string; pieces: TextLine[] } {
  const pieces: TextLine[] = [];
  const rest = svg.replace(TEXT_ELEMENT, (_m, raw: string, content: string) => {
    const a = attributes(raw);
    pieces.push({
      x: Number(a.x ?? 0),
      y: Number(a.y ?? 0),
      fontSize: Number(a['font-size'] ?? 12),
      weight: a['font-weight'] === '700' || a['font-weight'] === 'bold' ? 700 : 400,
      fill: a.fill ?? '#000000',
      letterSpacing: Number(a['letter-spacing'] ?? 0),
      text: decodeEntities(content),
    });
    return '';
  });
  return { rest, pieces };
}

const inside = (b: LayoutBox, p: TextLine): boolean =>
  p.x >= b.left - 1 && p.x <= b.left + b.width + 1 && p.y >= b.top - 1 && p.y <= b.top + b.height + 1;

/**
 * Groups text pieces into lines (same baseline) per text box, in layout order (= reading order).
 * Pieces that fall in no box (should not happen) become a block of their own; pieces of boxes that a
 * clipping box cuts off are dropped, as the SVG hides them.
 */
/**
 * Returns a test for boxes that a clipping box cuts off: like overflow: hidden in the SVG, a box that reaches
 * below the bottom of its clipping box is left out (text and decoration alike, so a list never shows half a row).
 */
export function clippedBy(boxes: LayoutBox[]): (box: LayoutBox) => boolean {
  const clips = boxes.filter((b) => b.clip);
  return (b) =>
    clips.some(
      (c) =>
        b.left >= c.left &&
        b.left < c.left + c.width &&
        b.top >= c.top &&
        b.top < c.top + c.height && // starts inside the clipping box (the footer below it is not clipped)
        b.top + b.height > c.top + c.height + 0.5,
    );
}

export function groupTextBlocks(boxes: LayoutBox[], pieces: TextLine[]): TextBlock[] {
  const clips = boxes.filter((b) => b.clip);
  const clipped = clippedBy(boxes);
  const textBoxes = boxes.filter((b) => b.role && !clipped(b));
  const byBox = new Map<LayoutBox | null, TextLine[]>();
  for (const piece of pieces) {
    // innermost = smallest box containing the baseline start point
    const box = textBoxes.filter((b) => inside(b, piece)).sort((a, b) => a.width * a.height - b.width * b.height)[0] ?? null;
    if (!box && clips.some((c) => inside(c, piece))) continue; // belongs to a clipped-away box
    byBox.set(box, [...(byBox.get(box) ?? []), piece]);
  }
  const order = [...textBoxes, null].filter((b) => byBox.has(b));
  return order.map((box) => {
    const lines: TextLine[] = [];
    for (const piece of byBox.get(box) ?? []) {
      const line = lines[lines.length - 1];
      if (line && Math.abs(line.y - piece.y) < 0.5) line.text += piece.text;
      else if (piece.text.trim() !== '') lines.push({ ...piece });
    }
    for (const line of lines) line.text = line.text.trimEnd();
    return { role: box?.role ?? 'P', lines, box };
  });
}

/** Converts satori's fill (hex, name or rgb()/rgba()) into something pdfkit's fillColor accepts. */
function pdfColor(fill: string): string | [number, number, number] {
  const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(fill);
  return rgb ? [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])] : fill;
}

/** Draws one line at its baseline, font run by font run (latin, latin-ext, cyrillic, …). */
export function drawTextLine(doc: PDFKit.PDFDocument, line: TextLine): void {
  let x = line.x;
  doc.fillColor(pdfColor(line.fill));
  for (const run of splitIntoFontRuns(line.text, line.weight)) {
    const options = { baseline: 'alphabetic' as const, lineBreak: false, characterSpacing: line.letterSpacing };
    doc.font(run.font).fontSize(line.fontSize);
    doc.text(run.text, x, line.y, options);
    x += doc.widthOfString(run.text, options);
  }
}
