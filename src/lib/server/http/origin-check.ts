/**
 * CSRF protection for form posts, the rule of Astro's `security.checkOrigin`: a request that is not GET/HEAD/OPTIONS
 * and has a form content type (or none) must carry an Origin header equal to KIKO's own origin. KIKO checks it in its
 * middleware with the origin the browser used (https behind a trusted TLS proxy), which Astro cannot know.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/** Whether the request is a cross-site (or origin-less) form submission that must be refused. */
export function isCrossSiteFormPost(request: Request, ownOrigin: string): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  const sameOrigin = request.headers.get('origin') === ownOrigin;
  const type = request.headers.get('content-type');
  if (type === null) return !sameOrigin;
  return FORM_TYPES.some((t) => type.toLowerCase().includes(t)) && !sameOrigin;
}
