/**
 * Renders the certificate layout with satori. `renderCertificateSvg` gives a self-contained SVG
 * (text as paths, fonts not needed to display it); `renderCertificateLayout` also returns satori's
 * computed boxes and the SVG with text as <text> elements, which the PDF renderer turns into real text.
 */
import satori, { type SatoriNode } from 'satori';
import { satoriFonts } from './certificate-fonts.ts';
import {
  buildAppendixLayout,
  buildCertificateLayout,
  type CertificateLayoutOptions,
  type LayoutImages,
  type LayoutNode,
  PAGE,
  paginateAppendix,
} from './certificate-layout.ts';
import type { CertificateView } from './certificate-view.ts';

/** A laid-out box from satori (absolute page coordinates). */
export interface LayoutBox {
  left: number;
  top: number;
  width: number;
  height: number;
  /** `data-pdf-role` of text leaves. */
  role?: string;
  /** `data-image` of images. */
  image?: string;
  /** Box clips its content (`data-pdf-clip`, overflow hidden): text below its bottom is not drawn. */
  clip?: boolean;
  /** Text of text leaves. */
  textContent?: string;
  /** URL the text links to (`data-pdf-link`). */
  link?: string;
  /** Background colour of decoration boxes (colour stripe, bullets, rules). */
  fill?: string;
  /** Solid bottom border (`borderBottom: '2px solid #…'`) of decoration boxes. */
  bottomBorder?: { width: number; color: string };
}

/** The certificate laid out once, with everything the PDF renderer needs. */
export interface RenderedLayout {
  svg: string;
  boxes: LayoutBox[];
  images: LayoutImages;
  width: number;
  height: number;
  /** The course and topic lists are shown in full (else the PDF adds the appendix pages). */
  complete: boolean;
}

/** Lays out one page with satori and collects the boxes the PDF renderer needs. */
async function layoutPage(element: LayoutNode, embedFont: boolean): Promise<{ svg: string; boxes: LayoutBox[] }> {
  const boxes: LayoutBox[] = [];
  const onNodeDetected = (node: SatoriNode): void => {
    const role = node.props['data-pdf-role'];
    const link = node.props['data-pdf-link'];
    const image = node.props['data-image'];
    const clip = node.props['data-pdf-clip'] !== undefined;
    const style = (node.props.style ?? {}) as Record<string, unknown>;
    const fill =
      typeof style.backgroundColor === 'string' && !/^(#fff(fff)?|white|transparent)$/i.test(style.backgroundColor)
        ? style.backgroundColor
        : undefined;
    const border = typeof style.borderBottom === 'string' ? /^([\d.]+)px\s+solid\s+(\S+)$/.exec(style.borderBottom) : null;
    if (typeof role !== 'string' && typeof image !== 'string' && !clip && !fill && !border) return;
    boxes.push({
      left: node.left,
      top: node.top,
      width: node.width,
      height: node.height,
      ...(typeof role === 'string' ? { role } : {}),
      ...(typeof image === 'string' ? { image } : {}),
      ...(clip ? { clip } : {}),
      ...(node.textContent !== undefined ? { textContent: node.textContent } : {}),
      ...(typeof link === 'string' ? { link } : {}),
      ...(fill ? { fill } : {}),
      ...(border?.[1] && border[2] ? { bottomBorder: { width: Number(border[1]), color: border[2] } } : {}),
    });
  };
  // satori accepts plain {type, props} trees; its type says ReactNode
  const svg = await satori(element as Parameters<typeof satori>[0], {
    width: PAGE.width,
    height: PAGE.height,
    fonts: satoriFonts(),
    embedFont,
    onNodeDetected,
  });
  return { svg, boxes };
}

/** Renders the layout; with `embedFont: false` text stays as <text x y font-size …> elements. */
export async function renderCertificateLayout(
  view: CertificateView,
  { embedFont, ...options }: { embedFont: boolean } & CertificateLayoutOptions,
): Promise<RenderedLayout> {
  const { element, images, complete } = await buildCertificateLayout(view, options);
  const { svg, boxes } = await layoutPage(element, embedFont);
  return { svg, boxes, images, width: PAGE.width, height: PAGE.height, complete };
}

/**
 * Lays out the appendix pages with the complete course and topic lists (text as <text> elements). When satori's
 * line breaks need more room than estimated (a text box would end below the page), it paginates again with less.
 */
export async function renderAppendixLayouts(view: CertificateView): Promise<Array<{ svg: string; boxes: LayoutBox[] }>> {
  let pages: Array<{ svg: string; boxes: LayoutBox[] }> = [];
  for (const budget of [1, 0.85, 0.7, 0.55]) {
    const plan = paginateAppendix(view.payload, budget);
    pages = await Promise.all(plan.map((page, i) => layoutPage(buildAppendixLayout(view, page, i, plan.length), false)));
    const fits = pages.every((pg) => pg.boxes.every((b) => !b.role || b.top + b.height <= PAGE.height - 24));
    if (fits) break;
  }
  return pages;
}

/**
 * Returns the certificate as an A4 landscape SVG (842 × 595 user units = PDF points) in German,
 * with text converted to paths, QR code and logo embedded as data URLs.
 */
export async function renderCertificateSvg(view: CertificateView): Promise<string> {
  return (await renderCertificateLayout(view, { embedFont: true })).svg;
}
