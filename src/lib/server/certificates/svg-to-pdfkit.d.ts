/** Types for svg-to-pdfkit (the package ships none); only the options KIKO uses. */
declare module 'svg-to-pdfkit' {
  /** Options of SVGtoPDF, see https://github.com/alafr/SVG-to-PDFKit#parameters */
  export interface SVGtoPDFOptions {
    width?: number;
    height?: number;
    preserveAspectRatio?: string;
    assumePt?: boolean;
    precision?: number;
    /** Returns what pdfkit's doc.image accepts (path, Buffer or data URL); KIKO allows data URLs only. */
    imageCallback?: (link: string) => string | Buffer | undefined;
    /** Loads external SVG documents referenced by <use>; KIKO loads none. */
    documentCallback?: (file: string) => unknown;
    warningCallback?: (message: string) => void;
    /** Name of a registered pdfkit font for an SVG font family (charts use the embedded Noto Sans). */
    fontCallback?: (family: string, bold: boolean, italic: boolean) => string;
  }
  /** Draws an SVG into a pdfkit document as vectors. */
  export default function SVGtoPDF(doc: PDFKit.PDFDocument, svg: string, x?: number, y?: number, options?: SVGtoPDFOptions): void;
}
