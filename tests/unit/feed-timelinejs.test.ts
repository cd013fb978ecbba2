import { describe, expect, it } from 'vitest';
import type { EventInput, TimelineEvent } from '../../shared/domain/event.ts';
import { materialiseEvent } from '../../shared/events/event-service.ts';
import { timelineJs, timelineJsDates } from '../../shared/feeds/timelinejs.ts';
import { dateInWords, kindLabel } from '../../shared/feeds/words.ts';
import { eventInput } from '../fixtures/events.ts';

let counter = 0;
function storedEvent(overrides: Partial<EventInput>): TimelineEvent {
  counter += 1;
  return materialiseEvent(eventInput(overrides), {
    id: `01J1Z8Q4Y6V3W2X1A0B9C8D7${String(counter).padStart(2, '0')}`,
    createdAt: '2024-06-30T08:00:00.000Z',
    updatedAt: '2024-07-02T12:00:00.000Z',
    version: 1,
  });
}

const datesOf = (date: string) => timelineJsDates(storedEvent({ date }));

describe('timelineJsDates', () => {
  it('gives a day as year, month and day', () => {
    expect(datesOf('2024-06-19')).toEqual({ start_date: { year: 2024, month: 6, day: 19 } });
  });

  it('gives a month as year and month only', () => {
    expect(datesOf('2024-01')).toEqual({ start_date: { year: 2024, month: 1 } });
  });

  it('gives a year alone, qualified or not', () => {
    expect(datesOf('2019~')).toEqual({ start_date: { year: 2019 } });
  });

  it('gives an interval both ends, each at its own precision', () => {
    expect(datesOf('2024-01/2024-06-20')).toEqual({
      start_date: { year: 2024, month: 1 },
      end_date: { year: 2024, month: 6, day: 20 },
    });
  });

  it('gives an open or unknown end no end_date, so the slide stands at the known end', () => {
    expect(datesOf('2022-02-24/..')).toEqual({ start_date: { year: 2022, month: 2, day: 24 } });
    expect(datesOf('2024-06/')).toEqual({ start_date: { year: 2024, month: 6 } });
    expect(datesOf('../2019-12')).toEqual({ start_date: { year: 2019, month: 12 } });
  });

  it('draws a decade, which TimelineJS has no unit for, as the span of its years', () => {
    expect(datesOf('201X')).toEqual({ start_date: { year: 2010 }, end_date: { year: 2019 } });
  });
});

describe('timelineJs', () => {
  const events = [
    storedEvent({ title: 'Pact <signed>', kind: 'pact-signing', date: '2024-06-19' }),
    storedEvent({ title: 'Missiles fired', date: '2024-06-15~' }),
  ];
  const document = timelineJs(events, { kinds: [], actors: ['KP'], tags: [] });

  it('has one slide per event, in the order given, each with its id', () => {
    expect(document.events.map((slide) => slide.unique_id)).toEqual(events.map((event) => event.id));
  });

  it('says each date in words and groups the slides by kind', () => {
    expect(document.events.map((slide) => slide.display_date)).toEqual(events.map(dateInWords));
    expect(document.events.map((slide) => slide.group)).toEqual(events.map((event) => kindLabel(event.kind)));
  });

  it('writes headlines and texts as escaped HTML with the sources as links', () => {
    expect(document.events[0]!.text.headline).toBe('Pact &lt;signed&gt;');
    expect(document.events[1]!.text.text).toContain(
      `<a href="${events[1]!.sources[0]!.url.replaceAll('&', '&amp;')}">`,
    );
  });

  it('names the filter on its title slide', () => {
    expect(document.title.text.headline).toBe('Dateline');
    expect(document.title.text.text).toContain('actor KP');
  });
});
