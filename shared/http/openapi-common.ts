import { problemSchema } from './schemas.ts';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: the problem names each field (`errors[].path`)',
  401: 'No valid API key or token',
  403: 'Not allowed for this key',
  404: 'Not found',
  409: 'Conflicts with the current state',
  412: 'The ETag in If-Match is stale',
  413: 'Body too large (64 KiB)',
  415: 'Content-Type is not one this operation takes',
  422: 'Idempotency-Key reused with a different body',
  428: 'If-Match is required',
  429: 'Too many requests of this kind; see Retry-After',
};

const problemContent = { 'application/problem+json': { schema: problemSchema } };

/**
 * The problem+json responses a route can give, for the OpenAPI document: a status, or a status
 * with the route's own description of it.
 */
export function problemResponses(...statuses: (number | [status: number, description: string])[]) {
  return Object.fromEntries(
    statuses.map((entry) => {
      const [status, description] = typeof entry === 'number' ? [entry, DESCRIPTIONS[entry]] : entry;
      return [status, { description: description ?? 'Error', content: problemContent }];
    }),
  );
}

/** The description of a status every operation of its kind can answer (body routes: 413, 415). */
export const statusDescription = (status: number): string => DESCRIPTIONS[status] ?? 'Error';

/**
 * Answers that do not come from one operation: the server's (a request it cannot read), the
 * router's (a method a path has no operation for) and the unexpected. Every operation refers to
 * those any request can get; the others the document's description lists.
 */
export const serverResponses = {
  RequestTimeout: {
    status: 408,
    description:
      'The request took too long to arrive (the local runtime; behind API Gateway, the gateway answers)',
    everyOperation: true,
  },
  RequestHeaderFieldsTooLarge: {
    status: 431,
    description:
      'The request headers are larger than the server accepts (the local runtime; behind API Gateway, the gateway answers)',
    everyOperation: true,
  },
  InternalError: {
    status: 500,
    description: 'Something went wrong on our side; it is logged, and the problem has no details',
    everyOperation: true,
  },
  MethodNotAllowed: {
    status: 405,
    description:
      'The path has no operation for this method; Allow lists those it has (OPTIONS answers 204 with Allow)',
    everyOperation: false,
  },
  NotImplemented: {
    status: 501,
    description: 'A request method the server does not know (the local runtime)',
    everyOperation: false,
  },
  ServiceUnavailable: {
    status: 503,
    description: 'The local runtime is still starting',
    everyOperation: false,
  },
} as const;
