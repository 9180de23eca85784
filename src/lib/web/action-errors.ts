/** Maps KIKO's typed domain errors to Astro ActionErrors (once, for every action). */
import { ActionError } from 'astro:actions';
import { DomainError } from '../server/errors/domain-errors.ts';

const codes = { 400: 'BAD_REQUEST', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 429: 'TOO_MANY_REQUESTS' } as const;

export async function mapDomainErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DomainError && e.status in codes)
      throw new ActionError({ code: codes[e.status as keyof typeof codes], message: e.message });
    throw e;
  }
}
