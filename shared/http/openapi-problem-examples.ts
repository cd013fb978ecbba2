import { statusTitle } from './problem.ts';

/** Ids of the seed events as the examples show them (openapi-examples.ts). */
const COUNCIL_MEETING_ID = '01J1Z8Q4Y6V3W2X1A0B9C8D7E6';
const MISSILE_LAUNCH_ID = '01J1Z8Q4Y6V3W2X1A0B9C8D7E4';

const problemOf = (
  status: number,
  slug: string,
  detail: string,
  errors?: { path: string; message: string }[],
) => ({
  type: `/problems/${slug}`,
  title: statusTitle(status),
  status,
  detail,
  ...(errors ? { errors } : {}),
});

/** A problem for each status, shown wherever a response of that status has no example of its own. */
export const problemExamples: Record<number, unknown> = {
  400: problemOf(400, 'validation-error', 'body.sources: an event needs at least one source', [
    { path: 'body.sources', message: 'an event needs at least one source' },
  ]),
  401: problemOf(401, 'unauthorized', 'Send an API key as Authorization: Bearer dl_…'),
  403: problemOf(403, 'forbidden', 'The API key lacks the events:write scope'),
  404: problemOf(404, 'not-found', `No event ${COUNCIL_MEETING_ID}`),
  405: problemOf(
    405,
    'method-not-allowed',
    'PUT is not allowed on /v1/events; allowed: GET, HEAD, POST, OPTIONS',
  ),
  408: problemOf(408, 'request-timeout', 'The request took too long to arrive'),
  409: problemOf(409, 'conflict', 'This subscription was unsubscribed; create a new one'),
  410: problemOf(410, 'gone', 'The change log no longer holds this position; start again without since'),
  412: problemOf(
    412,
    'precondition-failed',
    `Event ${MISSILE_LAUNCH_ID} is at "v2", which If-Match does not name; fetch it again`,
  ),
  413: problemOf(413, 'content-too-large', 'The request body is larger than allowed'),
  415: problemOf(415, 'http-error', 'Unsupported Media Type'),
  422: problemOf(422, 'idempotency-key-reused', 'This Idempotency-Key was used with a different body'),
  428: problemOf(
    428,
    'precondition-required',
    'PATCH needs If-Match with the ETag you last read, for example If-Match: "v3"',
  ),
  429: problemOf(
    429,
    'too-many-requests',
    'At most 5 confirmation mails a day go to one address; try again tomorrow',
  ),
  431: problemOf(431, 'headers-too-large', 'The request headers are larger than the server accepts'),
  500: problemOf(500, 'internal-error', 'Something went wrong on our side; it has been logged.'),
  501: problemOf(501, 'method-not-implemented', 'The request method is not one the server knows'),
  503: problemOf(503, 'starting', 'The server is starting; try again in a moment'),
};
