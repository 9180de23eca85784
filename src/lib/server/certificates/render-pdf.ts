/**
 * The certificate as PDF/A-2a (tagged, German, fonts embedded): satori lays the page out once; the
 * decoration (colour stripe, rules, bullets) is drawn as vector rectangles at satori's boxes, QR code and
 * logo as vector figures, and every text as real pdfkit text at satori's positions — so the PDF looks
 * like the PNG/SVG while its text stays selectable and searchable (pdftotext, screen readers).
 * The signature and payload travel in the document info (see pdf-metadata.ts).
 */
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { pdfFontFaces } from './certificate-fonts.ts';
import type { LayoutImages } from './certificate-layout.ts';
import { achievementDescription, CERTIFICATE_TEXTS, certificateHeading } from './certificate-texts.ts';
import type { CertificateView } from './certificate-view.ts';
import { certificateInfoEntries } from './pdf-metadata.ts';
import { clippedBy, drawTextLine, extractSvgText, groupTextBlocks, type TextBlock } from './pdf-text.ts';
import { qrCodeRuns } from './qr-code.ts';
import { type LayoutBox, renderAppendixLayouts, renderCertificateLayout } from './render-certificate.ts';

/** svg-to-pdfkit options that keep it from reading files or following links in (logo) SVGs. */
const SVG_OPTIONS = {
  imageCallback: (link: string): string | undefined => (/^data:image\/(png|jpeg);base64,/i.test(link) ? link : undefined),
  documentCallback: (): undefined => undefined,
  warningCallback: (): void => {},
};

/**
 * pdfkit copies Title/Author/Subject/Keywords into the XMP packet without XML escaping
 * (pdfkit js/mixins/metadata.js `_addInfo`), so `&` or `<` in a course title would break the XMP.
 * Replace them with look-alikes in the metadata only; the page itself shows the original text.
 */
const xmpSafe = (s: string): string => s.replace(/&/g, '＆').replace(/</g, '‹').replace(/>/g, '›');

function documentInfo(view: CertificateView): PDFKit.DocumentInfo & Record<string, string | Date> {
  const p = view.payload;
  return {
    Title: xmpSafe(`${certificateHeading(p.kind)}: ${p.achievement.title} – ${p.holder.name}`),
    Author: xmpSafe(view.brand.districtName),
    Subject: xmpSafe(achievementDescription(p)),
    Keywords: xmpSafe([...CERTIFICATE_TEXTS.keywords, ...p.achievement.topics].join(', ')),
    Creator: 'KIKO',
    CreationDate: new Date(p.issuedAt),
    ...certificateInfoEntries(p, view.signature),
  };
}

/** Draws a QR code or logo given as SVG or PNG data URL into the box satori reserved for it. */
function drawImage(doc: PDFKit.PDFDocument, src: string, box: LayoutBox): void {
  const svg = /^data:image\/svg\+xml(;base64)?,(.*)$/s.exec(src);
  if (svg) {
    const markup = svg[1] ? Buffer.from(svg[2] ?? '', 'base64').toString('utf8') : decodeURIComponent(svg[2] ?? '');
    SVGtoPDF(doc, markup, box.left, box.top, { ...SVG_OPTIONS, width: box.width, height: box.height });
  } else if (/^data:image\/(png|jpeg);base64,/i.test(src)) {
    doc.image(src, box.left, box.top, { fit: [box.width, box.height] });
  }
}

/** pdfkit font source: a file buffer or an already parsed fontkit font (pdfkit accepts both, see PDFFontFactory.open). */
type FontSource = Buffer | object;
let parsedFonts: Array<{ name: string; src: FontSource }> | null = null;

/**
 * The Noto Sans faces as fontkit fonts, parsed once per process and shared by every document: pdfkit would
 * otherwise parse each used face again per PDF (its glyph and layout tables). Each document still embeds its
 * own subset. Falls back to the buffers should a pdfkit version not expose the parsed font.
 */
function sharedPdfFonts(): Array<{ name: string; src: FontSource }> {
  if (parsedFonts) return parsedFonts;
  const probe = new PDFDocument({ autoFirstPage: false });
  parsedFonts = pdfFontFaces().map((face) => {
    probe.registerFont(face.name, face.data);
    probe.font(face.name);
    const font = (probe as unknown as { _font?: { font?: { layout?: unknown } } })._font?.font;
    return { name: face.name, src: typeof font?.layout === 'function' ? font : face.data };
  });
  return parsedFonts;
}

/** Draws the QR code of `url` into the box as filled module runs (the PDF equivalent of qrCodeSvg). */
function drawQrCode(doc: PDFKit.PDFDocument, url: string, box: LayoutBox): void {
  const { size, runs } = qrCodeRuns(url);
  const scale = Math.min(box.width, box.height) / size;
  doc.rect(box.left, box.top, size * scale, size * scale).fill('#ffffff');
  for (const r of runs) doc.rect(box.left + r.x * scale, box.top + r.y * scale, r.length * scale, scale);
  doc.fill('#000000');
}

/**
 * Draws the decoration — colour stripe, header rule, bullets, signatory line — as filled rectangles at the boxes
 * satori computed. The layout's decoration is only solid boxes and bottom borders, so this matches the SVG/PNG
 * rendering; parsing satori's SVG (clip-paths, masks) with svg-to-pdfkit for the same rectangles cost a quarter
 * of the PDF time. Boxes cut off by a clipping box are left out, as in the SVG.
 */
function drawDecoration(doc: PDFKit.PDFDocument, boxes: LayoutBox[]): void {
  const clipped = clippedBy(boxes);
  for (const b of boxes) {
    if ((!b.fill && !b.bottomBorder) || clipped(b)) continue;
    if (b.fill) doc.rect(b.left, b.top, b.width, b.height).fill(b.fill);
    if (b.bottomBorder) doc.rect(b.left, b.top + b.height - b.bottomBorder.width, b.width, b.bottomBorder.width).fill(b.bottomBorder.color);
  }
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

/**
 * Draws the text blocks of a page into the structure root, in layout order. A block with a link (the verify URL)
 * becomes a Link structure element holding its text and one URI link annotation per line box, so screen readers
 * and viewers both know it as a link (PDF/UA-1 7.18.5; PDF/A-2 allows Link annotations without appearance).
 */
function drawTextBlocks(doc: PDFKit.PDFDocument, root: PDFKit.PDFStructureElement, blocks: TextBlock[]): void {
  const links = new Map<string, PDFKit.PDFStructureElement>();
  for (const block of blocks) {
    const url = block.box?.link;
    const draw = (): void => {
      for (const line of block.lines) drawTextLine(doc, line);
    };
    if (!url || !block.box) {
      root.add(doc.struct(block.role, {}, draw));
      continue;
    }
    let link = links.get(url);
    if (!link) {
      link = doc.struct('Link');
      links.set(url, link);
      root.add(link);
    }
    link.add(doc.struct('Span', {}, draw));
    const b = block.box;
    doc.link(b.left, b.top, b.width, b.height, url, {
      structParent: link,
      Contents: new String(`${CERTIFICATE_TEXTS.verify}: ${url}`),
    } as never);
  }
  for (const link of links.values()) link.end();
}

/**
 * Renders the certificate as A4 landscape PDF: PDF 1.7, PDF/A-2a identification, tagged (Document > H1/H2/P,
 * QR code as Figure with alt text, decoration as artifacts), `de-DE`, title shown in the viewer,
 * Noto Sans subsets embedded, info Title/Author (district)/Subject/Keywords plus KikoCertificateId,
 * KikoSignature and KikoPayload.
 */
export async function renderCertificatePdf(view: CertificateView): Promise<Buffer> {
  const layout = await renderCertificateLayout(view, { embedFont: false, appendix: true });
  const { pieces } = extractSvgText(layout.svg);
  const doc = new PDFDocument({
    size: [layout.width, layout.height],
    margin: 0,
    pdfVersion: '1.7',
    subset: 'PDF/A-2a',
    tagged: true,
    lang: 'de-DE',
    displayTitle: true,
    info: documentInfo(view),
    // no default font: pdfkit would parse Helvetica's metrics for every document, and PDF/A allows only
    // embedded fonts anyway; every text below picks a registered Noto Sans face first
    font: '',
  });
  const done = collect(doc);
  for (const face of sharedPdfFonts()) doc.registerFont(face.name, face.src as Buffer);

  doc.markContent('Artifact', { type: 'Layout' });
  drawDecoration(doc, layout.boxes);
  const logo = layout.boxes.find((b) => b.image === 'logo');
  if (logo && layout.images.logo) drawImage(doc, layout.images.logo, logo);
  doc.endMarkedContent();

  const root = doc.struct('Document');
  doc.addStructure(root);
  drawTextBlocks(doc, root, groupTextBlocks(layout.boxes, pieces));
  const qr = layout.boxes.find((b) => b.image === 'qr');
  const images: LayoutImages = layout.images;
  if (qr && images.qr) {
    const alt = `QR-Code: ${CERTIFICATE_TEXTS.verify} unter ${view.verifyUrl}`;
    // a QR code handed in by the caller is drawn as given; the usual one (from verifyUrl) as module runs
    const draw = view.qrSvgOrPngDataUrl ? () => drawImage(doc, images.qr ?? '', qr) : () => drawQrCode(doc, view.verifyUrl, qr);
    root.add(doc.struct('Figure', { alt }, draw));
  }
  // evidence is never cut: when page 1 cannot show every course and topic, the appendix lists them all
  const clipped = clippedBy(layout.boxes);
  if (!layout.complete || layout.boxes.some((b) => b.role && clipped(b))) {
    for (const page of await renderAppendixLayouts(view)) {
      doc.addPage({ size: [layout.width, layout.height], margin: 0 });
      doc.markContent('Artifact', { type: 'Layout' });
      drawDecoration(doc, page.boxes);
      doc.endMarkedContent();
      drawTextBlocks(doc, root, groupTextBlocks(page.boxes, extractSvgText(page.svg).pieces));
    }
  }
  root.end();
  doc.end();
  return done;
}
