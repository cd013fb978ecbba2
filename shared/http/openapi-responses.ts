import { serverResponses, statusDescription } from './openapi-common.ts';
import type { RouteSpec } from './route.ts';

/**
 * The responses the document adds to what routes declare: the statuses any operation of its kind
 * answers, the server's own answers as shared components, and for problems their headers and an
 * example of each status.
 */

/** Gives each problem+json response without an example the problem example of its status. */
export function withProblemExamples(responses: Record<string, unknown>, problems: Record<number, unknown>) {
  for (const [status, response] of Object.entries(responses)) {
    const problem = (response as { content?: Record<string, { example?: unknown }> }).content?.[
      'application/problem+json'
    ];
    const headers = PROBLEM_HEADERS[Number(status)];
    if (problem && headers && !(response as { headers?: unknown }).headers) {
      (response as { headers?: unknown }).headers = documentedHeaders(headers);
    }
    if (problem && problem.example === undefined && problems[Number(status)] !== undefined) {
      (response as { content: Record<string, unknown> }).content['application/problem+json'] = {
        ...problem,
        example: problems[Number(status)],
      };
    }
  }
  return responses;
}

const responseRef = (name: string) => ({ $ref: `#/components/responses/${name}` });

/** Response headers as OpenAPI writes them: each a string with its description. */
export const documentedHeaders = (headers: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
  );

/** Headers every problem of a status carries (401: the scheme to use; 429: when to try again). */
const PROBLEM_HEADERS: Record<number, Record<string, string>> = {
  401: { 'WWW-Authenticate': 'Bearer realm="dateline"' },
  429: { 'Retry-After': 'Seconds to wait before asking again' },
};

/**
 * The statuses any operation of its kind answers without saying so itself: a body that is too
 * large or of another media type, input that does not validate, and the server's own answers.
 */
export function withCommonResponses(route: RouteSpec, responses: Record<string, unknown>) {
  const problem = (status: number) => ({
    description: statusDescription(status),
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  });
  const common: Record<string, unknown> = {};
  if (route.request) common[400] = problem(400);
  if (route.request?.body) {
    common[413] = problem(413);
    common[415] = problem(415);
  }
  for (const [name, { status, everyOperation }] of Object.entries(serverResponses)) {
    if (everyOperation) common[status] = responseRef(name);
  }
  const all = { ...common, ...responses };
  return Object.fromEntries(Object.entries(all).sort(([a], [b]) => Number(a) - Number(b)));
}

/** The server's answers as reusable responses (problem+json; 405 with Allow). */
export function componentResponses(problems: Record<number, unknown>) {
  return Object.fromEntries(
    Object.entries(serverResponses).map(([name, { status, description }]) => [
      name,
      {
        description,
        ...(status === 405
          ? { headers: { Allow: { description: 'The methods the path has', schema: { type: 'string' } } } }
          : {}),
        content: {
          'application/problem+json': {
            schema: { $ref: '#/components/schemas/Problem' },
            ...(problems[status] ? { example: problems[status] } : {}),
          },
        },
      },
    ]),
  );
}
