/**
 * Cleans the district logo (admin-uploaded SVG markup) before it is rendered into certificates: the renderers
 * (resvg, svg-to-pdfkit) must never load files or URLs named in it, and nothing executable may travel along
 * when the SVG is embedded. Keeps shapes, paths, gradients and embedded PNG/JPEG images; drops scripts,
 * foreign objects, event handlers, styles with url() and every reference that is not local (#id) or an
 * inline raster image.
 */

const DROP_ELEMENTS =
  /<(script|foreignObject|iframe|object|embed|audio|video|style)\b[\s\S]*?<\/\1\s*>|<(script|foreignObject|iframe|object|embed|audio|video|style)\b[^>]*\/>/gi;
const EVENT_ATTRIBUTES = /\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi;
const REFERENCE_ATTRIBUTES = /\s+((?:xlink:)?href|src)\s*=\s*("([^"]*)"|'([^']*)')/gi;
const SAFE_REFERENCE = /^(#[\w.-]+|data:image\/(png|jpeg);base64,[A-Za-z0-9+/=\s]+)$/i;

/** Returns the logo without active or external content; null when no <svg> element remains. */
export function sanitizeLogoSvg(svg: string): string | null {
  let clean = svg
    .replace(/<\?xml[\s\S]*?\?>|<!DOCTYPE[\s\S]*?>|<!--[\s\S]*?-->/gi, '')
    .replace(DROP_ELEMENTS, '')
    .replace(EVENT_ATTRIBUTES, '')
    .replace(REFERENCE_ATTRIBUTES, (match, _name: string, _quoted: string, dq?: string, sq?: string) =>
      SAFE_REFERENCE.test((dq ?? sq ?? '').trim()) ? match : '',
    );
  // url(...) in presentation attributes may only point into the document itself
  clean = clean.replace(/url\(\s*(['"]?)(?!#)[^)]*\1\s*\)/gi, 'none');
  return /^\s*<svg\b[\s\S]*<\/svg>\s*$/i.test(clean) ? clean.trim() : null;
}
