/**
 * The certificate layout as a satori element tree (plain {type, props} objects, no JSX), A4 landscape
 * in PDF points (842 × 595). Every text leaf carries `data-pdf-role` (its tag in the tagged PDF) and
 * every image `data-image` (so the PDF renderer can draw it as vectors at the position satori computed).
 */

import { CERTIFICATE_FONT_FAMILY } from './certificate-fonts.ts';
import { type CertificatePayload, formatCertificateId } from './certificate-payload.ts';
import { achievementSentence, CERTIFICATE_TEXTS, certificateHeading, formatMinutes, validityLines } from './certificate-texts.ts';
import { type CertificateView, safeBrandColor } from './certificate-view.ts';
import { CONTENT_WIDTH, estimateLines, fitList, holderNameFit, listHeight } from './layout-budget.ts';
import { qrCodeSvg, svgDataUrl } from './qr-code.ts';

/** A satori element. */
export interface LayoutNode {
  type: string;
  props: { style?: Record<string, string | number>; children?: LayoutChild | LayoutChild[]; [key: string]: unknown };
}
type LayoutChild = LayoutNode | string;
type Style = Record<string, string | number>;

/** Structure role of a text leaf in the tagged PDF. */
export type PdfRole = 'H1' | 'H2' | 'P';
/** Images that the PDF draws itself, by `data-image` key. */
export type LayoutImages = Partial<Record<'qr' | 'logo', string>>;

/** Page size in points (A4 landscape). */
export const PAGE = { width: 842, height: 595 } as const;
const GRAY = '#4b5563';
const TEXT = '#111827';

const box = (style: Style, children: LayoutChild[] = [], extra: Record<string, unknown> = {}): LayoutNode => ({
  type: 'div',
  props: { ...extra, style: { display: 'flex', boxSizing: 'border-box', ...style }, children },
});
/**
 * A text leaf. `lines` 1: one line, cut with an ellipsis (fixed texts, so nothing overflows into the footer); n > 1:
 * at most n lines; 0: wraps freely — for evidence (course titles, topics), which is never cut. `link`: the text is a
 * link to that URL (a link annotation in the PDF).
 */
const text = (content: string, style: Style, role: PdfRole = 'P', lines = 1, link?: string): LayoutNode => ({
  type: 'div',
  props: {
    'data-pdf-role': role,
    ...(link ? { 'data-pdf-link': link } : {}),
    style:
      lines === 1
        ? { whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis', ...style }
        : lines === 0
          ? style
          : { lineClamp: lines, ...style },
    children: content,
  },
});
const image = (key: keyof LayoutImages, src: string, width: number, height: number, style: Style = {}): LayoutNode => ({
  type: 'img',
  props: { 'data-image': key, src, width, height, style: { width, height, ...style } },
});

/** Width/height ratio of an SVG from its viewBox or width/height attributes (1 when unknown). */
function svgAspect(svg: string): number {
  const vb = /viewBox\s*=\s*["']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(svg);
  const w = Number(vb?.[1] ?? /\swidth\s*=\s*["']([\d.]+)/i.exec(svg)?.[1]);
  const h = Number(vb?.[2] ?? /\sheight\s*=\s*["']([\d.]+)/i.exec(svg)?.[1]);
  return w > 0 && h > 0 ? w / h : 1;
}

/** Width of the bullet with its gap. */
const BULLET = 13;

/** One list entry: a bullet and the complete text, wrapped (never cut). */
const listItem = (item: string, color: string): LayoutNode =>
  box({ alignItems: 'flex-start', marginBottom: 4 }, [
    box({ width: 5, height: 5, backgroundColor: color, marginRight: 8, marginTop: 5, flexShrink: 0 }),
    text(item, { fontSize: 11, color: TEXT, flexShrink: 1, minWidth: 0 }, 'P', 0),
  ]);

/** A list column: heading, the items that fit (each complete), then "und N weitere …". */
function list(
  title: string,
  items: string[],
  width: number,
  height: number,
  color: string,
  more: (n: number) => string,
): { nodes: LayoutNode[]; complete: boolean } {
  const { shown, rest } = fitList(items, width - BULLET, height);
  return {
    nodes: [
      text(title, { fontSize: 11, fontWeight: 700, color, marginBottom: 6, letterSpacing: 0.4 }, 'H2'),
      ...shown.map((item) => listItem(item.text, color)),
      ...(rest > 0 ? [text(more(rest), { fontSize: 10, color: GRAY, marginLeft: BULLET })] : []),
    ],
    complete: rest === 0,
  };
}

function header(p: CertificatePayload, view: CertificateView, color: string, images: LayoutImages): LayoutNode {
  const logo = view.brand.logoSvg;
  const logoHeight = 44;
  const logoWidth = logo ? Math.min(160, Math.round(logoHeight * svgAspect(logo))) : 0;
  if (logo) images.logo = svgDataUrl(logo);
  return box({ justifyContent: 'space-between', alignItems: 'center', paddingBottom: 14, borderBottom: `2px solid ${color}` }, [
    box({ alignItems: 'center', flexShrink: 1 }, [
      ...(logo && images.logo ? [image('logo', images.logo, logoWidth, logoHeight, { marginRight: 14 })] : []),
      text(view.brand.districtName, { fontSize: 15, fontWeight: 700, color, maxWidth: 480 }),
    ]),
    box({ flexDirection: 'column', alignItems: 'flex-end' }, [
      text(CERTIFICATE_TEXTS.certificateNumber, { fontSize: 9, color: GRAY }),
      text(formatCertificateId(p.id), { fontSize: 13, fontWeight: 700, color: TEXT, letterSpacing: 1 }),
    ]),
  ]);
}

/** Width of the printed verify URL. */
const URL_WIDTH = 300;

/** The verify URL on one line, or on two split after the last "/" (never inside the certificate id). */
function urlLines(url: string): string[] {
  const cut = url.lastIndexOf('/') + 1;
  return estimateLines(url, 8, URL_WIDTH, false) > 1 && cut > 0 ? [url.slice(0, cut), url.slice(cut)] : [url];
}

function footer(p: CertificatePayload, view: CertificateView, qr: string): LayoutNode {
  const [issued, valid] = validityLines(p);
  const signatory = view.brand.signatory;
  return box({ justifyContent: 'space-between', alignItems: 'flex-end' }, [
    box({ flexDirection: 'column' }, [
      text(issued, { fontSize: 12, color: TEXT }),
      text(valid, { fontSize: 12, color: TEXT, marginTop: 2 }),
      ...(signatory
        ? [
            box({ width: 220, height: 1, backgroundColor: GRAY, marginTop: 26, marginBottom: 4 }),
            text(signatory, { fontSize: 11, color: TEXT, maxWidth: 320 }),
            text(`${CERTIFICATE_TEXTS.signatoryFor} ${view.brand.districtName}`, { fontSize: 9, color: GRAY, maxWidth: 320 }),
          ]
        : []),
    ]),
    box({ alignItems: 'flex-end' }, [
      box({ flexDirection: 'column', alignItems: 'flex-end', marginRight: 12, maxWidth: 310 }, [
        text(CERTIFICATE_TEXTS.verify, { fontSize: 11, fontWeight: 700, color: TEXT }),
        ...urlLines(view.verifyUrl).map((line) =>
          text(line, { fontSize: 8, color: GRAY, textAlign: 'right', maxWidth: URL_WIDTH }, 'P', 1, view.verifyUrl),
        ),
      ]),
      image('qr', qr, 84, 84),
    ]),
  ]);
}

/** Options of buildCertificateLayout. */
export interface CertificateLayoutOptions {
  /** The PDF adds pages with the complete lists when page 1 cannot hold them; the "weitere" rows point there. */
  appendix?: boolean;
}

/**
 * Builds the satori element tree of the certificate and returns it with the images it references
 * (QR code from `qrSvgOrPngDataUrl` or generated from `verifyUrl`, logo from `brand.logoSvg`). `complete`: both
 * lists are shown in full on this page.
 */
export async function buildCertificateLayout(
  view: CertificateView,
  { appendix = false }: CertificateLayoutOptions = {},
): Promise<{ element: LayoutNode; images: LayoutImages; complete: boolean }> {
  const p = view.payload;
  const color = safeBrandColor(view.brand.color);
  const images: LayoutImages = { qr: view.qrSvgOrPngDataUrl ?? svgDataUrl(await qrCodeSvg(view.verifyUrl)) };
  const courses = p.achievement.courses.map((c) => `${c.title} · ${formatMinutes(c.minutes)}`);
  const name = holderNameFit(p.holder.name);
  const sentence = achievementSentence(p);
  const sentenceLines = Math.min(2, estimateLines(sentence, 13, CONTENT_WIDTH, false));
  const height = listHeight({ nameHeight: name.height, sentenceLines, hasSignatory: !!view.brand.signatory });
  const hasTopics = p.achievement.topics.length > 0;
  // column widths as below: 58 % minus 24 pt gap for the courses, 42 % for the topics
  const courseWidth = CONTENT_WIDTH * (hasTopics ? 0.58 : 1) - 24;
  const topicWidth = CONTENT_WIDTH * 0.42;
  const onNextPage = appendix ? ' – vollständig in der Anlage' : '';
  const courseList = list(CERTIFICATE_TEXTS.contents, courses, courseWidth, height, color, (n) => `und ${n} weitere Kurse${onNextPage}`);
  const topicList = list(
    CERTIFICATE_TEXTS.topics,
    p.achievement.topics,
    topicWidth,
    height,
    color,
    (n) => `und ${n} weitere Themen${onNextPage}`,
  );
  const element = box(
    { width: PAGE.width, height: PAGE.height, backgroundColor: '#ffffff', fontFamily: CERTIFICATE_FONT_FAMILY, color: TEXT },
    [
      box({ width: 18, height: PAGE.height, backgroundColor: color, flexShrink: 0 }),
      box({ flexDirection: 'column', width: PAGE.width - 18, height: PAGE.height, padding: '34px 44px 30px 40px' }, [
        header(p, view, color, images),
        text(certificateHeading(p.kind), { fontSize: 34, fontWeight: 700, color, marginTop: 20 }, 'H1'),
        text(CERTIFICATE_TEXTS.legalNote, { fontSize: 11, color: GRAY, marginTop: 2 }),
        text(CERTIFICATE_TEXTS.intro, { fontSize: 13, color: TEXT, marginTop: 18 }),
        text(p.holder.name, { fontSize: name.fontSize, fontWeight: 700, color: TEXT, marginTop: 4 }, 'P', name.lines),
        text(sentence, { fontSize: 13, color: TEXT, marginTop: 4 }, 'P', 2),
        box(
          { flexGrow: 1, flexShrink: 1, minHeight: 0, marginTop: 16, overflow: 'hidden' },
          [
            box({ flexDirection: 'column', width: hasTopics ? '58%' : '100%', paddingRight: 24 }, courseList.nodes),
            ...(hasTopics ? [box({ flexDirection: 'column', width: '42%' }, topicList.nodes)] : []),
          ],
          { 'data-pdf-clip': 'list' },
        ),
        footer(p, view, images.qr ?? ''),
      ]),
    ],
  );
  return { element, images, complete: courseList.complete && topicList.complete };
}

/** Course lines as the certificate prints them. */
const courseLines = (p: CertificatePayload): string[] => p.achievement.courses.map((c) => `${c.title} · ${formatMinutes(c.minutes)}`);

/** Usable height of an appendix page below its header and above its footer, in points. */
const APPENDIX_BODY = PAGE.height - 34 - 30 - 70 - 24;

/**
 * Splits the complete course and topic lists into appendix pages: each page a list of sections (heading and the
 * items that fit, repeated headings marked "Fortsetzung"). `budget` scales the usable height (the renderer retries
 * with less when satori's real line breaks need more room than estimated).
 */
export function paginateAppendix(p: CertificatePayload, budget = 1): Array<Array<{ title: string; items: string[] }>> {
  const line = Math.ceil(11 * 1.362);
  const width = CONTENT_WIDTH - BULLET;
  const sections = [
    { title: CERTIFICATE_TEXTS.contents, items: courseLines(p) },
    ...(p.achievement.topics.length ? [{ title: CERTIFICATE_TEXTS.topics, items: p.achievement.topics }] : []),
  ];
  const pages: Array<Array<{ title: string; items: string[] }>> = [[]];
  let used = 0;
  const heading = 30;
  for (const section of sections) {
    let current: { title: string; items: string[] } | null = null;
    for (const item of section.items) {
      // conservative: 0.6 em per character instead of Noto Sans' 0.54 average
      const h = Math.max(1, Math.ceil((item.length * 0.6 * 11) / width)) * line + 4;
      const needed = h + (current ? 0 : heading);
      if (used + needed > APPENDIX_BODY * budget && used > 0) {
        pages.push([]);
        used = 0;
        current = null;
      }
      if (!current) {
        const continued = pages.some((pg) => pg.some((s) => s.title === section.title));
        current = { title: continued ? `${section.title} (Fortsetzung)` : section.title, items: [] };
        pages[pages.length - 1]?.push(current);
        used += heading;
      }
      current.items.push(item);
      used += h;
    }
  }
  return pages;
}

/**
 * Builds appendix page `index` (0-based) of `total`: the certificate number, holder and achievement, then the
 * complete course and topic lists in one column (one reading order for pdftotext and screen readers).
 */
export function buildAppendixLayout(
  view: CertificateView,
  page: Array<{ title: string; items: string[] }>,
  index: number,
  total: number,
): LayoutNode {
  const p = view.payload;
  const color = safeBrandColor(view.brand.color);
  const pageNote = total > 1 ? ` (Seite ${index + 1} von ${total})` : '';
  return box({ width: PAGE.width, height: PAGE.height, backgroundColor: '#ffffff', fontFamily: CERTIFICATE_FONT_FAMILY, color: TEXT }, [
    box({ width: 18, height: PAGE.height, backgroundColor: color, flexShrink: 0 }),
    box({ flexDirection: 'column', width: PAGE.width - 18, height: PAGE.height, padding: '34px 44px 30px 40px' }, [
      box({ flexDirection: 'column', paddingBottom: 10, borderBottom: `2px solid ${color}`, marginBottom: 14 }, [
        text(
          `Anlage zum ${certificateHeading(p.kind)} Nr. ${formatCertificateId(p.id)}${pageNote}`,
          { fontSize: 15, fontWeight: 700, color },
          'H2',
          0,
        ),
        text(`${p.holder.name} · ${p.achievement.title}`, { fontSize: 12, color: TEXT, marginTop: 4 }, 'P', 0),
      ]),
      ...page.flatMap((section) => [
        text(section.title, { fontSize: 11, fontWeight: 700, color, marginTop: 8, marginBottom: 6, letterSpacing: 0.4 }, 'H2'),
        ...section.items.map((item) => listItem(item, color)),
      ]),
    ]),
  ]);
}
