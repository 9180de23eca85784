/**
 * Rough text measurements that keep the certificate on one page without a second layout pass:
 * the holder name shrinks when it is long, and the course/topic lists show as many rows as fit.
 * Estimates use Noto Sans' average glyph width; satori does the exact layout (single lines get an
 * ellipsis, the list area clips) — these numbers only decide sizes and row counts up front.
 */

/** Width of the text column in points (A4 landscape minus colour stripe and padding). */
export const CONTENT_WIDTH = 740;
/** Line height satori uses for Noto Sans (normal line height ≈ 1.36 em). */
const LINE_HEIGHT = 1.362;

/** Font size, maximum line count and reserved height of a text. */
export interface TextFit {
  fontSize: number;
  lines: number;
  height: number;
}

/** Estimated number of lines of a text at a font size and width. */
export function estimateLines(text: string, fontSize: number, width: number, bold: boolean): number {
  const average = (bold ? 0.6 : 0.54) * fontSize;
  return Math.max(1, Math.ceil((text.length * average) / width));
}

/** Holder name: 28 pt on one line when it fits, else 22 pt on up to two, else 18 pt on up to three lines. */
export function holderNameFit(name: string): TextFit {
  for (const [fontSize, lines] of [
    [28, 1],
    [22, 2],
  ] as const) {
    if (estimateLines(name, fontSize, CONTENT_WIDTH, true) <= lines)
      return { fontSize, lines, height: Math.ceil(fontSize * LINE_HEIGHT) * lines };
  }
  return { fontSize: 18, lines: 3, height: Math.ceil(18 * LINE_HEIGHT) * 3 };
}

/**
 * Number of list rows (per column, including an "und N weitere" row) that fit below the header, title,
 * name and sentence and above the footer. Heights are the layout's fixed parts in points.
 */
export function listRows({
  nameHeight,
  sentenceLines,
  hasSignatory,
}: {
  nameHeight: number;
  sentenceLines: number;
  hasSignatory: boolean;
}): number {
  const page = 595 - 34 - 30; // padding top/bottom
  const fixed = 60 /* header */ + 66 /* title */ + 17 /* legal note */ + 36 /* intro */ + 4 + 4 + 16 /* margins */;
  const footer = hasSignatory ? 96 : 88;
  const sentence = Math.ceil(13 * LINE_HEIGHT) * sentenceLines;
  const available = page - fixed - footer - nameHeight - sentence - 21; /* list heading */
  return Math.max(2, Math.min(8, Math.floor(available / LIST_ROW)));
}

/** Height of a one-line list row: 11 pt text (15 pt line) plus 4 pt gap. */
const LIST_ROW = 19;
/** Height of the "und N weitere …" row (10 pt). */
const MORE_ROW = 14;

/** Height in points the course and topic lists may fill (the budget of `listRows`, in points). */
export function listHeight(budget: Parameters<typeof listRows>[0]): number {
  return listRows(budget) * LIST_ROW;
}

/**
 * Chooses the list items that fit into `height` points of a column `width` points wide: each item complete, on as
 * many lines (11 pt) as it needs; `rest` items are left for an "und N weitere" row, which is reserved too.
 */
export function fitList(items: string[], width: number, height: number): { shown: Array<{ text: string; lines: number }>; rest: number } {
  const line = Math.ceil(11 * LINE_HEIGHT);
  const shown: Array<{ text: string; lines: number }> = [];
  let used = 0;
  for (const [i, text] of items.entries()) {
    const lines = estimateLines(text, 11, width, false);
    const reserve = i < items.length - 1 ? MORE_ROW : 0;
    if (used + lines * line + 4 + reserve > height && shown.length > 0) break;
    shown.push({ text, lines });
    used += lines * line + 4;
  }
  return { shown, rest: items.length - shown.length };
}
