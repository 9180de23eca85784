/** QR code of the verify URL (qrcode package): as vector SVG for satori/PNG, as module runs for the PDF. */
import QRCode from 'qrcode';

/** Error correction level M (15 %): survives a crease or stain on a printed certificate. */
const LEVEL = 'M';

/** Returns an SVG QR code (no quiet zone; the layout leaves white space around it) for the URL. */
export async function qrCodeSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', margin: 0, errorCorrectionLevel: LEVEL, color: { dark: '#000000', light: '#ffffff' } });
}

/** The dark modules of a QR code as horizontal runs (`x`, `y`, `length` in modules) on a `size` × `size` grid. */
export interface QrRuns {
  size: number;
  runs: Array<{ x: number; y: number; length: number }>;
}

/**
 * Returns the same QR code as `qrCodeSvg`, as runs of dark modules: the PDF draws them as a handful of
 * rectangles instead of parsing the SVG (an SVG parse per certificate cost more than the rest of the QR code).
 */
export function qrCodeRuns(url: string): QrRuns {
  const { size, data } = QRCode.create(url, { errorCorrectionLevel: LEVEL }).modules;
  const runs: QrRuns['runs'] = [];
  for (let y = 0; y < size; y++) {
    let start = -1;
    for (let x = 0; x <= size; x++) {
      const dark = x < size && data[y * size + x] === 1;
      if (dark && start < 0) start = x;
      else if (!dark && start >= 0) {
        runs.push({ x: start, y, length: x - start });
        start = -1;
      }
    }
  }
  return { size, runs };
}

/** Returns the SVG markup as a base64 data URL (what satori's <img> accepts). */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}
