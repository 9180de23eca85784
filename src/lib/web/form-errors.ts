/**
 * Errors of a form that the server refused, as the page shows them: an error summary first in main (Base.astro,
 * focused on load, reachable by a skip link) whose entries link to their field, and per field `aria-invalid` plus
 * `aria-describedby` pointing at the field's own message (WCAG 3.3.1, 3.3.3, 4.1.3;
 * https://design-system.service.gov.uk/components/error-summary/).
 */

/** One message of the summary; `field` is the id of the control it belongs to (the summary links to it). */
export interface FormError {
  message: string;
  field?: string;
}

/** Id of the inline message of a field (`<p id={fieldMessageId('email')}>`). */
export const fieldMessageId = (field: string): string => `${field}-fehler`;

/** ARIA attributes of a control: invalid and described by its message when `message` is set, else nothing. */
export function invalidAttributes(field: string, message: string | null | undefined, hint?: string): Record<string, string | undefined> {
  if (!message) return { 'aria-describedby': hint };
  return { 'aria-invalid': 'true', 'aria-describedby': [fieldMessageId(field), hint].filter(Boolean).join(' ') };
}
