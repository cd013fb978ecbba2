import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor, TimelineEvent } from '../../shared/domain/event.ts';
import {
  eventProbeDimensions,
  matchesFilter,
  type SubscriptionFilter,
  subscriptionIndexDimensions,
} from '../../shared/domain/subscription.ts';

type Matchable = Pick<TimelineEvent, 'kind' | 'actors' | 'tags'>;

const filter = (parts: Partial<SubscriptionFilter> = {}): SubscriptionFilter => ({
  kinds: [],
  actors: [],
  tags: [],
  ...parts,
});

const state = (code: string): Actor => ({ type: 'state', code });

/** The Hwasong-11 debris found in Kharkiv: a missile finding about the DPRK and Russia. */
const debrisFinding: Matchable = {
  kind: 'missile-finding',
  actors: [state('KP'), state('RU'), { type: 'organisation', name: 'UN Panel of Experts', role: 'monitor' }],
  tags: ['ballistic-missiles', 'sanctions'],
};

describe('matchesFilter', () => {
  it('matches every event when the filter is empty', () => {
    expect(matchesFilter(filter(), debrisFinding)).toBe(true);
    expect(matchesFilter(filter(), { kind: 'other', actors: [], tags: [] })).toBe(true);
  });

  it('matches when any of the listed kinds is the event kind (kinds OR)', () => {
    expect(matchesFilter(filter({ kinds: ['pact-signing', 'missile-finding'] }), debrisFinding)).toBe(true);
    expect(matchesFilter(filter({ kinds: ['pact-signing', 'resolution'] }), debrisFinding)).toBe(false);
  });

  it('matches when any listed actor is among the event actors (actors OR)', () => {
    expect(matchesFilter(filter({ actors: ['CN', 'KP'] }), debrisFinding)).toBe(true);
    expect(matchesFilter(filter({ actors: ['CN', 'US'] }), debrisFinding)).toBe(false);
  });

  it('matches organisations by their normalised name', () => {
    expect(matchesFilter(filter({ actors: ['un-panel-of-experts'] }), debrisFinding)).toBe(true);
  });

  it('matches when any listed tag is among the event tags (tags OR)', () => {
    expect(matchesFilter(filter({ tags: ['arms-embargo', 'sanctions'] }), debrisFinding)).toBe(true);
    expect(matchesFilter(filter({ tags: ['arms-embargo'] }), debrisFinding)).toBe(false);
  });

  it('requires every named dimension to match (dimensions AND)', () => {
    const all = filter({ kinds: ['missile-finding'], actors: ['KP'], tags: ['sanctions'] });
    expect(matchesFilter(all, debrisFinding)).toBe(true);
    expect(matchesFilter({ ...all, kinds: ['missile-launch'] }, debrisFinding)).toBe(false);
    expect(matchesFilter({ ...all, actors: ['CN'] }, debrisFinding)).toBe(false);
    expect(matchesFilter({ ...all, tags: ['pact'] }, debrisFinding)).toBe(false);
  });

  it('does not match an event without actors when the filter names actors', () => {
    expect(matchesFilter(filter({ actors: ['KP'] }), { kind: 'statement', actors: [], tags: [] })).toBe(
      false,
    );
  });
});

describe('subscriptionIndexDimensions', () => {
  it('indexes an empty filter under "all"', () => {
    expect(subscriptionIndexDimensions(filter())).toEqual([{ name: 'all' }]);
  });

  it('indexes under the only named dimension, one entry per value', () => {
    expect(subscriptionIndexDimensions(filter({ kinds: ['resolution', 'council-meeting'] }))).toEqual([
      { name: 'kind', value: 'resolution' },
      { name: 'kind', value: 'council-meeting' },
    ]);
  });

  it('chooses the named dimension with the fewest values', () => {
    const chosen = subscriptionIndexDimensions(
      filter({
        kinds: ['missile-launch', 'missile-finding', 'statement'],
        actors: ['KP', 'RU'],
        tags: ['sanctions'],
      }),
    );
    expect(chosen).toEqual([{ name: 'tag', value: 'sanctions' }]);
  });

  it('prefers actors, then tags, then kinds on a tie', () => {
    expect(
      subscriptionIndexDimensions(filter({ kinds: ['statement'], actors: ['KP'], tags: ['x'] })),
    ).toEqual([{ name: 'actor', value: 'KP' }]);
    expect(subscriptionIndexDimensions(filter({ kinds: ['statement'], tags: ['x'] }))).toEqual([
      { name: 'tag', value: 'x' },
    ]);
  });

  it('lists a repeated value once', () => {
    expect(subscriptionIndexDimensions(filter({ actors: ['KP', 'KP'] }))).toEqual([
      { name: 'actor', value: 'KP' },
    ]);
  });
});

describe('eventProbeDimensions', () => {
  it('probes "all", the event kind, each actor key and each tag', () => {
    expect(eventProbeDimensions(debrisFinding)).toEqual([
      { name: 'all' },
      { name: 'kind', value: 'missile-finding' },
      { name: 'actor', value: 'KP' },
      { name: 'actor', value: 'RU' },
      { name: 'actor', value: 'un-panel-of-experts' },
      { name: 'tag', value: 'ballistic-missiles' },
      { name: 'tag', value: 'sanctions' },
    ]);
  });

  it('probes a duplicated actor or tag once', () => {
    const probes = eventProbeDimensions({
      kind: 'statement',
      actors: [state('kp'), state('KP')],
      tags: ['a', 'a'],
    });
    expect(probes).toEqual([
      { name: 'all' },
      { name: 'kind', value: 'statement' },
      { name: 'actor', value: 'KP' },
      { name: 'tag', value: 'a' },
    ]);
  });

  it('always probes a partition that a matching subscription is indexed under', () => {
    const kinds = fc.constantFrom('missile-finding', 'missile-launch', 'statement', 'resolution');
    const codes = fc.constantFrom('KP', 'RU', 'CN', 'US', 'UA');
    const tags = fc.constantFrom('sanctions', 'ballistic-missiles', 'pact', 'embargo');
    fc.assert(
      fc.property(
        fc.record({
          kinds: fc.array(kinds, { maxLength: 3 }),
          actors: fc.array(codes, { maxLength: 3 }),
          tags: fc.array(tags, { maxLength: 3 }),
        }),
        fc.record({
          kind: kinds,
          actors: fc.array(codes.map(state), { maxLength: 3 }),
          tags: fc.array(tags, { maxLength: 3 }),
        }),
        (candidate, event) => {
          fc.pre(matchesFilter(candidate, event));
          const probed = new Set(eventProbeDimensions(event).map((d) => JSON.stringify(d)));
          return subscriptionIndexDimensions(candidate).some((d) => probed.has(JSON.stringify(d)));
        },
      ),
    );
  });
});
