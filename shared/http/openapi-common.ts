import { problemSchema } from './schemas.ts';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request',
  401: 'No valid API key or token',
  403: 'Not allowed for this key',
  404: 'Not found',
  412: 'The ETag in If-Match is stale',
  413: 'Body too large',
  422: 'Idempotency-Key reused with a different body',
  428: 'If-Match is required',
  429: 'Too many requests of this kind; see Retry-After',
};

/**
 * The problem+json responses a route can give, for the OpenAPI document: a status, or a status
 * with the route's own description of it.
 */
export function problemResponses(...statuses: (number | [status: number, description: string])[]) {
  return Object.fromEntries(
    statuses.map((entry) => {
      const [status, description] = typeof entry === 'number' ? [entry, DESCRIPTIONS[entry]] : entry;
      return [
        status,
        {
          description: description ?? 'Error',
          content: { 'application/problem+json': { schema: problemSchema } },
        },
      ];
    }),
  );
}
