import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import type { EventInput, TimelineEvent } from '../../shared/domain/event.ts';
import { materialiseEvent } from '../../shared/events/event-service.ts';
import { feedEntry } from '../../shared/feeds/feed-entry.ts';
import { renderICalendar } from '../../shared/feeds/icalendar.ts';
import { dateInWords } from '../../shared/feeds/words.ts';
import { eventInput } from '../fixtures/events.ts';

const BASE = 'https://dateline.example.org';

let counter = 0;
function storedEvent(overrides: Partial<EventInput>): TimelineEvent {
  counter += 1;
  return materialiseEvent(eventInput(overrides), {
    id: `01J1Z8Q4Y6V3W2X1A0B9C8D7${String(counter).padStart(2, '0')}`,
    createdAt: '2024-06-30T08:00:00.000Z',
    updatedAt: '2024-07-02T12:34:56.000Z',
    version: 4,
  });
}

/** The VEVENTs of a rendered calendar, read back by ical.js, by title. */
async function calendarOf(events: TimelineEvent[]) {
  const ics = await renderICalendar(
    events.map((event) => feedEntry(event, BASE)),
    {
      baseUrl: BASE,
      filter: { kinds: ['missile-launch'], actors: [], tags: [], q: 'a; b, c\nd' },
      updated: new Date(),
    },
  );
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const vevents = calendar.getAllSubcomponents('vevent').map((component) => new ICAL.Event(component));
  return { ics, calendar, vevents };
}

const day = (time: ICAL.Time) =>
  `${String(time.year).padStart(4, '0')}-${String(time.month).padStart(2, '0')}-${String(time.day).padStart(2, '0')}`;

describe('renderICalendar', () => {
  it('makes each event an all-day VEVENT whose DTEND is the day after its last day (exclusive)', async () => {
    const events = [
      storedEvent({ title: 'One day', date: '2024-06-19' }),
      storedEvent({ title: 'A month', date: '2024-01' }),
      storedEvent({ title: 'A span', date: '2024-06-10/2024-06-20' }),
      storedEvent({ title: 'Year end', date: '2023-12-31' }),
    ];
    const { vevents } = await calendarOf(events);
    expect(vevents.map((e) => [e.startDate.isDate, day(e.startDate), day(e.endDate)])).toEqual([
      [true, '2024-06-19', '2024-06-20'],
      [true, '2024-01-01', '2024-02-01'],
      [true, '2024-06-10', '2024-06-21'],
      [true, '2023-12-31', '2024-01-01'],
    ]);
  });

  it('says in the summary what the days cannot: approximate, uncertain, ongoing, an end not known', async () => {
    const { vevents } = await calendarOf([
      storedEvent({ title: 'Mid-June', date: '2024-06-15~' }),
      storedEvent({ title: 'Doubtful', date: '2024-06-15?' }),
      storedEvent({ title: 'War', date: '2022-02-24/..' }),
      storedEvent({ title: 'Talks', date: '2024-03%/' }),
      storedEvent({ title: 'Exact', date: '2024-06-28' }),
    ]);
    expect(vevents.map((e) => e.summary)).toEqual([
      'Mid-June (approximate)',
      'Doubtful (uncertain)',
      'War (ongoing)',
      'Talks (approximate, uncertain, end not known)',
      'Exact',
    ]);
  });

  it('draws an open or unknown end at its known end, not out to 9999', async () => {
    const { vevents } = await calendarOf([
      storedEvent({ date: '2022-02-24/..' }),
      storedEvent({ date: '../2019-12' }),
    ]);
    expect(vevents.map((e) => [day(e.startDate), day(e.endDate)])).toEqual([
      ['2022-02-24', '2022-02-25'],
      ['2019-12-01', '2020-01-01'],
    ]);
  });

  it('writes years before 1000 with four digits', async () => {
    const { ics, vevents } = await calendarOf([storedEvent({ date: '0850-03-02' })]);
    expect(ics).toContain('DTSTART;VALUE=DATE:08500302');
    expect(day(vevents[0]!.startDate)).toBe('0850-03-02');
  });

  it('stamps each event with when it last changed and counts its revisions', async () => {
    const event = storedEvent({ date: '2024-06-19' });
    const { vevents } = await calendarOf([event]);
    const component = vevents[0]!.component;
    expect(vevents[0]!.uid).toBe(`${event.id}@dateline`);
    expect(vevents[0]!.sequence).toBe(3);
    expect(component.getFirstPropertyValue('dtstamp')?.toString()).toBe('2024-07-02T12:34:56Z');
    expect(component.getFirstPropertyValue('last-modified')?.toString()).toBe('2024-07-02T12:34:56Z');
    expect(component.getFirstPropertyValue('url')).toBe(`${BASE}/events/${event.id}`);
  });

  it('opens the description with the date in words and lists the sources', async () => {
    const event = storedEvent({ date: '2024-06-15~' });
    const { vevents } = await calendarOf([event]);
    expect(vevents[0]!.description.startsWith(dateInWords(event))).toBe(true);
    expect(vevents[0]!.description).toContain(event.sources[0]!.url);
  });

  it('escapes the calendar name built from caller text (the q filter)', async () => {
    const { calendar } = await calendarOf([]);
    // NAME is TEXT (RFC 7986 §5.1); ical.js does not know it, so it hands the value over as written.
    const text = ICAL.design.icalendar.value.text!;
    const name = calendar.getFirstPropertyValue('name') as string;
    expect(name).toBe('Dateline: Missile launch\\; “a\\; b\\, c d”');
    expect(text.fromICAL!(name)).toBe('Dateline: Missile launch; “a; b, c d”');
  });
});
