import { parseEventDate } from '../../shared/domain/dates.ts';
import type { Actor, EventInput, EventKind, TimelineEvent } from '../../shared/domain/event.ts';
import type { SubscriptionFilter } from '../../shared/domain/subscription.ts';
import { materialiseEvent } from '../../shared/events/event-service.ts';
import { seededRandom } from '../../tests/fixtures/random.ts';

/**
 * Deterministic, realistic-looking data for the benchmarks: a news timeline of international
 * affairs, denser in recent years, with honest dates (mostly days, some months, years and intervals).
 */

/** The seeded PRNG the test fixtures use, so every run loads the same data. */
export const rng = seededRandom;

type Random = () => number;
const pick = <T>(random: Random, values: readonly T[]): T => values[Math.floor(random() * values.length)]!;

/** Picks by weight; `weights` need not sum to 1. */
function weighted<T>(random: Random, entries: readonly (readonly [T, number])[]): T {
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let r = random() * total;
  for (const [value, weight] of entries) {
    r -= weight;
    if (r < 0) return value;
  }
  return entries[entries.length - 1]![0];
}

export const KIND_WEIGHTS: readonly (readonly [EventKind, number])[] = [
  ['statement', 30],
  ['military-action', 20],
  ['council-meeting', 12],
  ['missile-launch', 10],
  ['sanctions-report', 8],
  ['resolution', 7],
  ['pact-signing', 5],
  ['missile-finding', 3],
  ['other', 5],
];

/** State actors, most frequent first (a Zipf-like share each). */
const STATES = ['RU', 'UA', 'US', 'CN', 'KP', 'GB', 'FR', 'KR', 'JP', 'DE', 'IR', 'IL', 'TR', 'IN', 'PL'];
const MORE_STATES = ['BY', 'SY', 'SA', 'EG', 'PK', 'BR', 'ZA', 'NG', 'IT', 'ES', 'CA', 'AU', 'MX', 'VN'];
const ORGANISATIONS = ['UN Security Council', 'NATO', 'European Union', 'IAEA', 'UN Panel of Experts'];
/** The rare actor of the benchmarks: on about 1% of events and nowhere else. */
export const RARE_ACTOR = 'MN';

export const TAGS = [
  'russia-ukraine-war',
  'sanctions',
  'ballistic-missiles',
  'arms-embargo',
  'north-korea',
  'nuclear',
  'diplomacy',
  'ceasefire',
  'drones',
  'energy',
  'humanitarian',
  'cyber',
  'elections',
  'trade',
  'maritime',
];
/** The tag the timeline benchmark filters on (about 10% of events). */
export const BENCH_TAG = 'sanctions';

const PUBLISHERS = ['ICARO Media Group', 'Reuters', 'Associated Press', 'UN News', 'BBC News'];
const PLACES: [string, string][] = [
  ['Kharkiv', 'UA'],
  ['New York', 'US'],
  ['Pyongyang', 'KP'],
  ['Moscow', 'RU'],
  ['Kyiv', 'UA'],
  ['Geneva', 'CH'],
  ['Brussels', 'BE'],
  ['Seoul', 'KR'],
];
const WORDS =
  'council members accused the delegation of violating the embargo while officials described debris recovered after the strike and called for an investigation into the supply of ballistic missiles'.split(
    ' ',
  );

const zipfState = (random: Random) => {
  // Share of state i ∝ 1/(i+1): RU and UA on many events, the tail on few.
  const all = [...STATES, ...MORE_STATES];
  return weighted(
    random,
    all.map((code, i) => [code, 1 / (i + 1)] as const),
  );
};

const pad = (n: number) => String(n).padStart(2, '0');
const DAY_MS = 86_400_000;
/** The newest day the generator uses; events get denser toward it. */
export const TIMELINE_END = Date.UTC(2024, 11, 31);

function recentDay(random: Random): Date {
  // Exponential decay into the past (mean 2 years), cut off at 35 years back.
  const yearsBack = Math.min(35, -Math.log(1 - random()) * 2);
  return new Date(TIMELINE_END - Math.floor(yearsBack * 365.25) * DAY_MS);
}

const isoDay = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** An EDTF date: 85% day, 7% month, 4% year, 4% intervals (short mostly, a few over months or years). */
export function randomDate(random: Random): string {
  const day = recentDay(random);
  const y = day.getUTCFullYear();
  const m = pad(day.getUTCMonth() + 1);
  const roll = random();
  const qualifier = random() < 0.05 ? pick(random, ['~', '?', '%']) : '';
  if (roll < 0.85) return `${isoDay(day)}${qualifier}`;
  if (roll < 0.92) return `${y}-${m}${qualifier}`;
  if (roll < 0.96) return `${y}${qualifier}`;
  const shape = random();
  if (shape < 0.75) {
    const end = new Date(day.getTime() + (2 + Math.floor(random() * 28)) * DAY_MS);
    return `${isoDay(day)}/${isoDay(end)}`;
  }
  if (shape < 0.95) {
    const end = new Date(Date.UTC(y, day.getUTCMonth() + 1 + Math.floor(random() * 8), 1));
    return `${y}-${m}/${end.getUTCFullYear()}-${pad(end.getUTCMonth() + 1)}`;
  }
  return `${y}/${y + 1 + Math.floor(random() * 4)}`;
}

/** A realistic event input; `rare` puts the rare actor on it. */
export function randomEventInput(random: Random, rare = false): EventInput {
  const kind = weighted(random, KIND_WEIGHTS);
  const stateCount = 1 + Math.floor(random() * 3);
  const actors: Actor[] = [];
  const codes = new Set<string>();
  while (codes.size < stateCount) codes.add(zipfState(random));
  for (const code of codes)
    actors.push({ type: 'state', code, ...(random() < 0.3 ? { role: 'accuser' } : {}) });
  if (random() < 0.2) actors.push({ type: 'organisation', name: pick(random, ORGANISATIONS) });
  if (rare) actors.push({ type: 'state', code: RARE_ACTOR, role: 'observer' });
  const tags = new Set<string>();
  const tagCount = 1 + Math.floor(random() * 2);
  while (tags.size < tagCount)
    tags.add(
      weighted(
        random,
        TAGS.map((tag, i) => [tag, 1 / (i + 1)] as const),
      ),
    );
  const words = Array.from({ length: 30 + Math.floor(random() * 40) }, () => pick(random, WORDS));
  const [place, country] = pick(random, PLACES);
  return {
    kind,
    title: `${words.slice(0, 8).join(' ')}`.replace(/^./, (c) => c.toUpperCase()),
    summary: `${words.join(' ')}.`,
    date: randomDate(random),
    ...(random() < 0.8 ? { location: { name: place, country } } : {}),
    actors,
    tags: [...tags],
    sources: Array.from({ length: 1 + Math.floor(random() * 2) }, (_, i) => ({
      url: `https://news.example.org/${Math.floor(random() * 1e9)}/${i}`,
      title: `${words.slice(2, 10).join(' ')}`,
      publisher: pick(random, PUBLISHERS),
      publishedAt: `${isoDay(recentDay(random))}T${pad(Math.floor(random() * 24))}:${pad(Math.floor(random() * 60))}`,
    })),
  };
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A ULID-shaped id from a counter (deterministic, sortable, unique). */
export function benchId(prefix: number, index: number): string {
  let n = index;
  let tail = '';
  for (let i = 0; i < 10; i++) {
    tail = CROCKFORD[n % 32] + tail;
    n = Math.floor(n / 32);
  }
  let head = '';
  let p = prefix;
  for (let i = 0; i < 16; i++) {
    head = CROCKFORD[p % 32] + head;
    p = Math.floor(p / 32);
  }
  return `${head}${tail}`;
}

/**
 * `count` stored events. About 1% carry the rare actor, but at least `minRare`, so a small table
 * still fills a page for the rare-actor filter.
 */
export function generateEvents(count: number, seed = 42, minRare = 41): TimelineEvent[] {
  const random = rng(seed);
  const rareEvery = Math.max(1, Math.min(100, Math.floor(count / minRare)));
  const createdAt = '2025-01-01T00:00:00.000Z';
  return Array.from({ length: count }, (_, i) => {
    const input = randomEventInput(random, i % rareEvery === 0);
    parseEventDate(input.date);
    return materialiseEvent(input, { id: benchId(seed, i), createdAt, updatedAt: createdAt, version: 1 });
  });
}

/**
 * A subscription filter as people write them: mostly one or two dimensions, popular actors and
 * kinds, now and then everything (an empty filter).
 */
export function randomFilter(random: Random): SubscriptionFilter {
  const shape = random();
  const kinds = () => [
    ...new Set(Array.from({ length: 1 + Math.floor(random() * 2) }, () => weighted(random, KIND_WEIGHTS))),
  ];
  const actors = () => [
    ...new Set(Array.from({ length: 1 + Math.floor(random() * 2) }, () => zipfState(random))),
  ];
  const tags = () => [
    ...new Set(Array.from({ length: 1 + Math.floor(random() * 2) }, () => pick(random, TAGS))),
  ];
  if (shape < 0.02) return { kinds: [], actors: [], tags: [] };
  if (shape < 0.3) return { kinds: [], actors: actors(), tags: [] };
  if (shape < 0.5) return { kinds: kinds(), actors: [], tags: [] };
  if (shape < 0.65) return { kinds: [], actors: [], tags: tags() };
  if (shape < 0.85) return { kinds: kinds(), actors: actors(), tags: [] };
  if (shape < 0.95) return { kinds: [], actors: actors(), tags: tags() };
  return { kinds: kinds(), actors: actors(), tags: tags() };
}

export const sampleEvent = (random: Random): EventInput => randomEventInput(random);
