/** QR code of the verify URL, as vector SVG (qrcode package), for all three renderings. */
import QRCode from 'qrcode';

/** Returns an SVG QR code (no quiet zone; the layout leaves white space around it) for the URL. */
export async function qrCodeSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', margin: 0, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } });
}

/** Returns the SVG markup as a base64 data URL (what satori's <img> accepts). */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}
