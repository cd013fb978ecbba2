/**
 * A feed reader that revalidates with If-Modified-Since alone must learn of every change to its
 * feed, also those that leave no newer event in it: a deletion of the newest entry, an event that
 * stops matching the filter. Last-Modified is therefore never older than the timeline's last
 * change (its change log); If-None-Match stays exact, and an unchanged timeline still answers 304.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../shared/domain/event.ts';
import { eventInput } from '../fixtures/events.ts';
import { startTestStack, type TestStack } from '../support/test-app.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const get = (path: string, headers: Record<string, string> = {}) => stack.app.request(path, { headers });
/** Last-Modified counts whole seconds: a change in the same second as the date is not later. */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1100));

async function create(tag: string, title: string): Promise<TimelineEvent> {
  return (await stack.events.create(eventInput({ title, tags: [tag] }))).event;
}

describe('a feed revalidated by date alone', () => {
  it.each(['/v1/feeds/events.atom', '/v1/feeds/events.ics', '/v1/timeline.json'])(
    '%s: 304 while nothing changed, 200 once its newest entry is deleted',
    async (feed) => {
      const tag = `lm-deleted-${feed.split('.').at(-1)}`;
      await create(tag, 'Older entry');
      await nextSecond();
      const newest = await create(tag, 'Newest entry');
      const path = `${feed}?tag=${tag}`;
      const first = await get(path);
      const lastModified = first.headers.get('last-modified')!;
      expect(lastModified).toBeTruthy();
      expect((await get(path, { 'if-modified-since': lastModified })).status).toBe(304);

      await nextSecond();
      await stack.events.remove(newest.id);
      const after = await get(path, { 'if-modified-since': lastModified });
      expect(after.status).toBe(200);
      expect(await after.text()).not.toContain('Newest entry');
      expect(Date.parse(after.headers.get('last-modified')!)).toBeGreaterThan(Date.parse(lastModified));
    },
  );

  it('200 once an event stops matching its filter', async () => {
    await create('lm-kept', 'Stays in the feed');
    await nextSecond();
    const leaving = await create('lm-kept', 'Leaves the feed');
    const path = '/v1/feeds/events.rss?tag=lm-kept';
    const lastModified = (await get(path)).headers.get('last-modified')!;

    await nextSecond();
    await stack.events.update(leaving.id, leaving.version, (input) => ({ ...input, tags: ['lm-elsewhere'] }));
    const after = await get(path, { 'if-modified-since': lastModified });
    expect(after.status).toBe(200);
    expect(await after.text()).not.toContain('Leaves the feed');
  });
});
