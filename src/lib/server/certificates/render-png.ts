/** PNG rendering of the certificate (for previews, social sharing, wallets) via @resvg/resvg-js. */
import { Resvg } from '@resvg/resvg-js';
import type { CertificateView } from './certificate-view.ts';
import { renderCertificateSvg } from './render-certificate.ts';

/**
 * Renders the certificate SVG to PNG, by default 2× (1684 × 1190 px). Text is already paths in the SVG,
 * so no system fonts are loaded.
 */
export async function renderCertificatePng(view: CertificateView, { width = 1684 }: { width?: number } = {}): Promise<Buffer> {
  const svg = await renderCertificateSvg(view);
  const resvg = new Resvg(svg, { fitTo: { mode: 'width', value: width }, background: '#ffffff', font: { loadSystemFonts: false } });
  return resvg.render().asPng();
}
