import type { Context } from 'hono';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Problem } from '../http/problem.ts';
import { htmlResponse, layout } from './layout.ts';
import { errorSummary } from './subscribe.ts';

const HEADINGS: Record<number, string> = {
  400: 'This request cannot be answered as it is',
  401: 'This needs a key',
  403: 'This key may not do that',
  404: 'Nothing here',
  405: 'Not something this address does',
  413: 'That was too large',
  415: 'Not a kind of request this address reads',
  429: 'Too many requests',
  500: 'Something went wrong on our side',
};

/** The HTML face of a problem, for browsers: its title, its detail and, for bad input, what to correct. */
export function errorPageResponse(
  c: Context,
  problem: Problem,
  headers: Record<string, string> = {},
  options: { private?: boolean } = {},
): Promise<Response> {
  const heading = HEADINGS[problem.status] ?? problem.title;
  const main = html`<h1>${heading}</h1>
<p class="lede">${problem.status} ${problem.title}${problem.detail ? html`: ${problem.detail}` : ''}</p>
${problem.errors?.length ? errorSummary(problem.errors, 'problem-errors') : ''}
<p><a href="/">Go to the timeline</a></p>`;
  return htmlResponse(
    c,
    layout({ title: heading, main, noindex: true }),
    problem.status as ContentfulStatusCode,
    headers,
    options,
  );
}
