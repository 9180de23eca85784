/**
 * Typed domain errors. Each transport (page, action, endpoint, CLI) maps them once:
 * NotFound → 404, Forbidden → 403, Conflict → 409, Validation → 400, RateLimited → 429.
 * Messages are German and safe to show to the user.
 */
export class DomainError extends Error {
  readonly status: number = 500;
}
export class NotFoundError extends DomainError {
  override readonly status = 404;
}
export class ForbiddenError extends DomainError {
  override readonly status = 403;
  constructor(message = 'Dafür fehlt Ihnen die Berechtigung.') {
    super(message);
  }
}
export class ConflictError extends DomainError {
  override readonly status = 409;
}
export class ValidationError extends DomainError {
  override readonly status = 400;
  readonly fields: Record<string, string>;
  constructor(message: string, fields: Record<string, string> = {}) {
    super(message);
    this.fields = fields;
  }
}
export class RateLimitedError extends DomainError {
  override readonly status = 429;
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
