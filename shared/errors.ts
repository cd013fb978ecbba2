/** Typed domain errors. `shared/http/problem.ts` maps them to RFC 9457 responses in one place. */

export interface FieldError {
  path: string;
  message: string;
}

export class DatelineError extends Error {
  override name = 'DatelineError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class ValidationError extends DatelineError {
  override name = 'ValidationError';
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class NotFoundError extends DatelineError {
  override name = 'NotFoundError';
}

export class ConflictError extends DatelineError {
  override name = 'ConflictError';
}

/** The stored version is not the one the caller expected (If-Match, conditional writes). */
export class PreconditionFailedError extends DatelineError {
  override name = 'PreconditionFailedError';
}

export class PreconditionRequiredError extends DatelineError {
  override name = 'PreconditionRequiredError';
}

/** The same Idempotency-Key was used with a different request body. */
export class IdempotencyMismatchError extends DatelineError {
  override name = 'IdempotencyMismatchError';
}

export class UnauthorizedError extends DatelineError {
  override name = 'UnauthorizedError';
}

export class ForbiddenError extends DatelineError {
  override name = 'ForbiddenError';
}

/** What the request names is no longer kept (a change-log position this log does not hold). */
export class GoneError extends DatelineError {
  override name = 'GoneError';
}

/** Too many requests of one kind (e.g. confirmation mails to one address); try again later. */
export class TooManyRequestsError extends DatelineError {
  override name = 'TooManyRequestsError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A request that would do more work than one request may (a replay of too many events): narrow it. */
export class RangeTooBroadError extends ValidationError {
  override name = 'RangeTooBroadError';
}

/** A webhook target that points somewhere Dateline must never send to. */
export class UnsafeTargetError extends ValidationError {
  override name = 'UnsafeTargetError';
}
