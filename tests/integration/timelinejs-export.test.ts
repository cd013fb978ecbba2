import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput } from '../../shared/domain/event.ts';
import type { TimelineJsDocument } from '../../shared/feeds/timelinejs.ts';
import { dateInWords } from '../../shared/feeds/words.ts';
import { eventInput, state } from '../fixtures/events.ts';
import { getPage, type ProblemBody, startTestStack, type TestStack } from '../support/test-app.ts';

const TIMELINE: EventInput[] = [
  eventInput({
    title: 'Invasion',
    kind: 'military-action',
    date: '2022-02-24',
    actors: [state('RU'), state('UA')],
  }),
  eventInput({
    title: 'Debris found',
    kind: 'missile-finding',
    date: '2024-01',
    actors: [state('KP'), state('UA')],
  }),
  eventInput({
    title: 'Missiles fired mid-June',
    date: '2024-06-10/2024-06-20',
    actors: [state('KP'), state('RU')],
  }),
  eventInput({
    title: 'Pact signed',
    kind: 'pact-signing',
    date: '2024-06-19',
    actors: [state('RU'), state('KP')],
  }),
  eventInput({ title: 'War goes on', kind: 'military-action', date: '2022-02/..', actors: [state('RU')] }),
];

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
  for (const input of TIMELINE) await stack.events.create(input);
});
afterAll(async () => {
  await stack?.close();
});

async function timeline(query = '', headers: Record<string, string> = {}) {
  const response = await stack.app.request(`/v1/timeline.json${query}`, { headers });
  return {
    response,
    body: response.status === 200 ? ((await response.json()) as TimelineJsDocument) : undefined,
  };
}

describe('GET /v1/timeline.json', () => {
  it('has one slide per event of the timeline query, in timeline order', async () => {
    const { body } = await timeline('?actor=KP');
    const page = await getPage(stack.app, '/v1/events?actor=KP');
    expect(body!.events.map((slide) => slide.unique_id)).toEqual(page.items.map((event) => event.id));
    expect(body!.events.map((slide) => slide.display_date)).toEqual(page.items.map(dateInWords));
  });

  it('dates each slide with only the parts its precision knows', async () => {
    const { body } = await timeline();
    const byHeadline = Object.fromEntries(body!.events.map((slide) => [slide.text.headline, slide]));
    expect(byHeadline['Debris found']).toMatchObject({ start_date: { year: 2024, month: 1 } });
    expect(byHeadline['Debris found']!.start_date).not.toHaveProperty('day');
    expect(byHeadline['Missiles fired mid-June']).toMatchObject({
      start_date: { year: 2024, month: 6, day: 10 },
      end_date: { year: 2024, month: 6, day: 20 },
    });
    expect(byHeadline['War goes on']!.start_date).toEqual({ year: 2022, month: 2 });
    expect(byHeadline['War goes on']).not.toHaveProperty('end_date');
    expect(byHeadline['Pact signed']!.group).toBe('Pact signing');
  });

  it('pages like the timeline: a Link to the next page, which carries the rest', async () => {
    const { response, body } = await timeline('?limit=2');
    expect(body!.events).toHaveLength(2);
    const next = /^<([^>]+)>; rel="next"$/.exec(response.headers.get('link') ?? '')?.[1];
    expect(next).toBeDefined();
    const { search } = new URL(next!);
    const rest = await timeline(search);
    const sameOfTheApi = await getPage(stack.app, `/v1/events${search}`);
    expect(rest.body!.events.map((slide) => slide.unique_id)).toEqual(
      sameOfTheApi.items.map((event) => event.id),
    );
    expect(rest.body!.events.map((slide) => slide.unique_id)).not.toContain(body!.events[0]!.unique_id);
  });

  it('answers 304 to its ETag or its Last-Modified', async () => {
    const { response } = await timeline('?kind=military-action');
    const etag = response.headers.get('etag')!;
    expect((await timeline('?kind=military-action', { 'if-none-match': etag })).response.status).toBe(304);
    const lastModified = response.headers.get('last-modified')!;
    expect(
      (await timeline('?kind=military-action', { 'if-modified-since': lastModified })).response.status,
    ).toBe(304);
    expect((await timeline('?kind=pact-signing', { 'if-none-match': etag })).response.status).toBe(200);
  });

  it('refuses bad filters with the timeline’s problems', async () => {
    const { response } = await timeline('?kind=rumour&limit=500');
    expect(response.status).toBe(400);
    const problem = (await response.json()) as ProblemBody;
    expect(problem.errors?.map((error) => error.path)).toContain('query.limit');
  });
});
