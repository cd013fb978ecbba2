import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  ConflictError,
  type FieldError,
  ForbiddenError,
  GoneError,
  IdempotencyMismatchError,
  NotFoundError,
  PreconditionFailedError,
  PreconditionRequiredError,
  RangeTooBroadError,
  TooManyRequestsError,
  UnauthorizedError,
  UnsafeTargetError,
  ValidationError,
} from '../errors.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

/** Problem type URIs are relative to the API: `/problems/<slug>`. */
const problemType = (slug: string) => `/problems/${slug}`;

export function problemResponse(
  c: Context,
  problem: Problem,
  headers: Record<string, string> = {},
): Response {
  return c.body(JSON.stringify(problem), problem.status as ContentfulStatusCode, {
    'content-type': 'application/problem+json',
    ...headers,
  });
}

/** The standard title of a status, as problem bodies carry it. */
export const statusTitle = (status: number): string => TITLES[status] ?? 'Error';

export function problem(status: number, slug: string, detail?: string, errors?: FieldError[]): Problem {
  return {
    type: problemType(slug),
    title: TITLES[status] ?? 'Error',
    status,
    ...(detail ? { detail } : {}),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** The one place errors become HTTP: typed domain errors map to their status; anything else is a 500 without details. */
export function toProblem(error: unknown): {
  problem: Problem;
  headers?: Record<string, string>;
  unexpected: boolean;
} {
  const known = (p: Problem, headers?: Record<string, string>) => ({
    problem: p,
    unexpected: false,
    ...(headers ? { headers } : {}),
  });
  // A well-formed webhook URL whose target is refused (private, plain http, does not resolve…).
  if (error instanceof UnsafeTargetError)
    return known(problem(422, 'unsafe-target', error.message, error.errors));
  // Well-formed, but more than one request may do (a replay of too many events).
  if (error instanceof RangeTooBroadError)
    return known(problem(422, 'range-too-broad', error.message, error.errors));
  if (error instanceof ValidationError)
    return known(problem(400, 'validation-error', error.message, error.errors));
  if (error instanceof UnauthorizedError) {
    return known(problem(401, 'unauthorized', error.message), {
      'www-authenticate': 'Bearer realm="dateline"',
    });
  }
  if (error instanceof ForbiddenError) return known(problem(403, 'forbidden', error.message));
  if (error instanceof NotFoundError) return known(problem(404, 'not-found', error.message));
  if (error instanceof GoneError) return known(problem(410, 'gone', error.message));
  if (error instanceof IdempotencyMismatchError)
    return known(problem(422, 'idempotency-key-reused', error.message));
  if (error instanceof ConflictError) return known(problem(409, 'conflict', error.message));
  if (error instanceof TooManyRequestsError) {
    return known(problem(429, 'too-many-requests', error.message), {
      'retry-after': String(error.retryAfterSeconds),
    });
  }
  if (error instanceof PreconditionFailedError)
    return known(problem(412, 'precondition-failed', error.message));
  if (error instanceof PreconditionRequiredError)
    return known(problem(428, 'precondition-required', error.message));
  if (error instanceof HTTPException) {
    const status = error.status;
    if (status === 413)
      return known(problem(413, 'content-too-large', 'The request body is larger than allowed'));
    if (status === 400)
      return known(problem(400, 'malformed-request', error.message || 'The request is malformed'));
    if (status < 500) return known(problem(status, 'http-error', error.message || undefined));
  }
  if (error instanceof SyntaxError)
    return known(problem(400, 'malformed-request', 'The request body is not valid JSON'));
  return {
    problem: problem(500, 'internal-error', 'Something went wrong on our side; it has been logged.'),
    unexpected: true,
  };
}
