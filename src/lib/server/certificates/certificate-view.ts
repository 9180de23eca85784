/**
 * What the renderers (SVG, PNG, PDF) need besides the signed payload: the signature (embedded in the PDF),
 * the public verify URL (QR code) and the district's branding.
 */
import type { CertificatePayload } from './certificate-payload.ts';

/** District branding printed on the certificate. */
export interface CertificateBrand {
  /** Name of the district administration, e.g. "Landkreis Musterland"; also the PDF author. */
  districtName: string;
  /** Accent colour as hex (`#0b5cad`); anything else falls back to KIKO blue. */
  color: string;
  /** Logo as SVG markup (trusted admin upload; external references in it are not loaded). */
  logoSvg?: string;
  /** Name and role of the signing person, e.g. "Dr. Erika Muster, Landrätin". */
  signatory?: string;
}

/** Input of renderCertificateSvg / renderCertificatePng / renderCertificatePdf. */
export interface CertificateView {
  /** The signed payload; everything printed comes from here. */
  payload: CertificatePayload;
  /** base64url Ed25519 signature of the payload (see signPayload), embedded in the PDF metadata. */
  signature: string;
  /** Public page that verifies this certificate; encoded in the QR code and printed. */
  verifyUrl: string;
  /** A ready QR code as `data:image/svg+xml…` or `data:image/png…` URL; generated from verifyUrl when absent. */
  qrSvgOrPngDataUrl?: string;
  brand: CertificateBrand;
}

/** KIKO's default accent colour. */
export const DEFAULT_BRAND_COLOR = '#0b5cad';

/** Returns the brand colour when it is a plain hex colour, otherwise the default. */
export function safeBrandColor(color: string): string {
  return /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(color) ? color : DEFAULT_BRAND_COLOR;
}
