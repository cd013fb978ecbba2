/**
 * Query strings are read strictly and their errors named one way: numbers in decimal digits only,
 * a single-valued parameter given once, percent-encoding that decodes, and every error path
 * `query.<parameter>` — on the timeline and on the delivery log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertStack, alertEventInput, bearer, json, startAlertStack } from '../support/alert-stack.ts';

let stack: AlertStack;
let subscription: { id: string; token: string };
let cursor: string;

beforeAll(async () => {
  stack = await startAlertStack();
  for (const date of ['2024-06-15', '2024-06-16', '2024-06-17']) {
    await stack.events.create(alertEventInput({ date, tags: ['query-parsing'] }));
  }
  const page = await stack.app.request('/v1/events?limit=1');
  cursor = ((await page.json()) as { nextCursor: string }).nextCursor;
  const key = await stack.keyWith(['subscriptions:write']);
  const created = await stack.app.request(
    '/v1/subscriptions',
    json('POST', { channel: 'webhook', url: 'https://hooks.example.org/dateline' }, bearer(key)),
  );
  subscription = (await created.json()) as { id: string; token: string };
});
afterAll(async () => {
  await stack?.close();
});

interface Problem {
  status: number;
  detail: string;
  errors: { path: string; message: string }[];
}

const timeline = (query: string) => stack.app.request(`/v1/events?${query}`);
const deliveries = (query: string) =>
  stack.app.request(`/v1/subscriptions/${subscription.id}/deliveries?${query}`, {
    headers: bearer(subscription.token),
  });

/** A 400 problem+json whose errors all name `query.<parameter>`, the first of them `path`. */
async function expectQueryProblem(response: Response, path: string): Promise<Problem> {
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = (await response.json()) as Problem;
  expect(problem.errors.length).toBeGreaterThan(0);
  for (const error of problem.errors) expect(error.path).toMatch(/^query\.\S+$/);
  expect(problem.errors[0]!.path).toBe(path);
  return problem;
}

const NOT_DECIMAL = ['0x10', '1e1', '%2B5', '+5', '5.0', '%205', '5%20', '', '1_0', '0b1', 'Infinity', '-0'];

describe('limit takes decimal digits only', () => {
  it.each(NOT_DECIMAL)('refuses GET /v1/events?limit=%s', async (limit) => {
    const problem = await expectQueryProblem(await timeline(`limit=${limit}`), 'query.limit');
    expect(problem.errors[0]!.message).toMatch(/decimal digits/);
  });

  it.each(NOT_DECIMAL)('refuses the delivery log’s limit=%s', async (limit) => {
    await expectQueryProblem(await deliveries(`limit=${limit}`), 'query.limit');
  });

  it.each([
    ['0', 'query.limit'],
    ['201', 'query.limit'],
    ['99999999999', 'query.limit'],
  ])('refuses GET /v1/events?limit=%s (out of range)', async (limit, path) => {
    await expectQueryProblem(await timeline(`limit=${limit}`), path);
  });

  it('accepts plain decimal numbers', async () => {
    const page = await timeline('limit=2');
    expect(page.status).toBe(200);
    expect(((await page.json()) as { items: unknown[] }).items).toHaveLength(2);
    expect((await deliveries('limit=100')).status).toBe(200);
    expect((await deliveries('limit=101')).status).toBe(400);
  });
});

describe('a single-valued parameter given more than once', () => {
  it.each([
    ['limit=5&limit=6', 'query.limit'],
    ['limit=5&limit=5', 'query.limit'],
    ['order=asc&order=desc', 'query.order'],
    ['q=a&q=b', 'query.q'],
    ['from=2024&from=2025', 'query.from'],
    ['to=2024&to=2025', 'query.to'],
    ['cursor=a&cursor=b', 'query.cursor'],
  ])('refuses GET /v1/events?%s with a clear 400', async (query, path) => {
    const problem = await expectQueryProblem(await timeline(query), path);
    expect(problem.errors[0]!.message).toBe('must be given once, not 2 times');
    expect(problem.detail).toContain(`${path}: must be given once`);
  });

  it('refuses the delivery log’s limit and before given twice', async () => {
    await expectQueryProblem(await deliveries('limit=1&limit=2'), 'query.limit');
    const before = '01J1Z8Q4Y6V3W2X1A0B9C8D7E6';
    await expectQueryProblem(await deliveries(`before=${before}&before=${before}`), 'query.before');
  });

  it('still takes repeatable filters more than once', async () => {
    const page = await timeline('tag=query-parsing&tag=other&kind=missile-launch&kind=statement');
    expect(page.status).toBe(200);
  });
});

describe('invalid percent-encoding', () => {
  it.each([
    ['q=%zz', 'query.q'],
    ['q=%', 'query.q'],
    ['q=100%', 'query.q'],
    ['q=%E0%A4', 'query.q'],
    ['q=%FF', 'query.q'],
    ['tag=%C3', 'query.tag'],
    ['limit=1&actor=%G1', 'query.actor'],
    ['%zz=1', 'query.%zz'],
  ])('refuses GET /v1/events?%s with 400', async (query, path) => {
    const problem = await expectQueryProblem(await timeline(query), path);
    expect(problem.errors[0]!.message).toMatch(/percent-encoding/);
  });

  it('refuses it on the delivery log too', async () => {
    await expectQueryProblem(await deliveries('before=%zz'), 'query.before');
  });

  it('reads valid escapes, + as a space and UTF-8', async () => {
    expect((await timeline('q=%E2%9C%93')).status).toBe(200);
    expect((await timeline('q=ballistic+missiles')).status).toBe(200);
    expect((await timeline('tag=query%2Dparsing')).status).toBe(200);
  });
});

describe('every query error path is spelled query.<parameter>', () => {
  it.each([
    ['from=2024-13', 'query.from'],
    ['to=2024-02-30', 'query.to'],
    ['from=2024~', 'query.from'],
    ['from=2024/2025', 'query.from'],
    ['from=2024-07&to=2024-06', 'query.from'],
    ['kind=coup', 'query.kind'],
    ['order=sideways', 'query.order'],
    [`q=${'a'.repeat(201)}`, 'query.q'],
    ['cursor=garbage', 'query.cursor'],
  ])('GET /v1/events?%s names %s', async (query, path) => {
    await expectQueryProblem(await timeline(query), path);
  });

  it('names query.cursor for a tampered cursor and for one of another query', async () => {
    const tampered = `${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`;
    await expectQueryProblem(await timeline(`limit=1&cursor=${tampered}`), 'query.cursor');
    await expectQueryProblem(await timeline(`limit=1&order=desc&cursor=${cursor}`), 'query.cursor');
  });

  it('names query.before on the delivery log', async () => {
    await expectQueryProblem(await deliveries('before=nope'), 'query.before');
  });
});
