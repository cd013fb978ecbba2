import { describe, expect, it } from 'vitest';
import { parseEventDate } from '../../shared/domain/dates.ts';
import { eventInputSchema } from '../../shared/http/schemas.ts';
import { seedEvents } from '../../shared/seed/load-seed.ts';
import seedFile from '../../shared/seed/timeline.json' with { type: 'json' };
import { ICARO_ARTICLE_TITLE, ICARO_PHOTO_URL } from '../fixtures/events.ts';

const byDate = (date: string) => {
  const event = seedEvents.find((candidate) => candidate.date === date);
  if (!event) throw new Error(`no seed event dated ${date}`);
  return event;
};

describe('the seed timeline', () => {
  it('holds six events', () => {
    expect(seedEvents).toHaveLength(6);
  });

  it('is the events array of the shipped data file', () => {
    expect(seedEvents).toBe(seedFile.events);
  });

  it.each(seedEvents.map((event) => [event.title, event] as const))(
    'validates as EventInput: %s',
    (_title, event) => {
      const result = eventInputSchema().safeParse(event);
      expect(result.success ? [] : result.error.issues).toEqual([]);
    },
  );

  it.each(seedEvents.map((event) => [event.title, event] as const))(
    'cites the ICARO article through its photo link: %s',
    (_title, event) => {
      expect(event.sources).toContainEqual({
        url: ICARO_PHOTO_URL,
        title: ICARO_ARTICLE_TITLE,
        publisher: 'ICARO Media Group',
        publishedAt: '2024-06-28T22:45',
      });
    },
  );

  it('links to no address other than icaro.icaromediagroup.com', () => {
    const hosts = new Set(
      seedEvents.flatMap((event) => event.sources.map((source) => new URL(source.url).host)),
    );
    expect([...hosts]).toEqual(['icaro.icaromediagroup.com']);
  });

  it('uses the dates of the article and the public record', () => {
    expect(seedEvents.map((event) => event.date).sort()).toEqual([
      '2019-12',
      '2022-02-24',
      '2024-01',
      '2024-06-10/2024-06-20',
      '2024-06-19',
      '2024-06-28',
    ]);
  });

  it('gives every event a date Dateline can resolve', () => {
    for (const event of seedEvents) expect(() => parseEventDate(event.date)).not.toThrow();
  });

  it('has the Security Council meeting of 28 June 2024 where the US, UK and France accuse Russia', () => {
    const meeting = byDate('2024-06-28');
    expect(meeting.kind).toBe('council-meeting');
    const states = meeting.actors.flatMap((actor) => (actor.type === 'state' ? [actor.code] : []));
    expect(states).toEqual(expect.arrayContaining(['US', 'GB', 'FR', 'RU', 'CN', 'KP']));
  });

  it('has the Russia–DPRK pact signed on 19 June 2024 by Putin and Kim', () => {
    const pact = byDate('2024-06-19');
    expect(pact.kind).toBe('pact-signing');
    const people = pact.actors.flatMap((actor) => (actor.type === 'person' ? [actor.name] : []));
    expect(people).toEqual(expect.arrayContaining(['Vladimir Putin', 'Kim Jong-un']));
  });

  it('has the Hwasong-11 debris found in Kharkiv in January 2024', () => {
    const finding = byDate('2024-01');
    expect(finding.kind).toBe('missile-finding');
    expect(finding.location?.name).toBe('Kharkiv');
    expect(finding.title).toContain('Hwasong-11');
  });

  it('has the missiles fired at Ukraine in mid-June 2024 as an interval', () => {
    expect(byDate('2024-06-10/2024-06-20').kind).toBe('missile-launch');
  });

  it('has the draft resolution of December 2019 that was never put to a vote', () => {
    expect(byDate('2019-12').kind).toBe('resolution');
  });

  it('has the full-scale invasion of Ukraine on 24 February 2022', () => {
    const invasion = byDate('2022-02-24');
    expect(invasion.kind).toBe('military-action');
    expect(invasion.actors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'RU' }),
        expect.objectContaining({ code: 'UA' }),
      ]),
    );
  });
});
