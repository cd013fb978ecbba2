import type { DigestFrequency } from './digest.ts';
import { actorKey, type TimelineEvent } from './event.ts';
import { type ShownValues, shownFilter } from './filter-values.ts';

export const alertTypes = ['event.created', 'event.updated', 'event.deleted'] as const;
export type AlertType = (typeof alertTypes)[number];

export type SubscriptionStatus = 'pending' | 'active' | 'disabled' | 'unsubscribed';
export type Channel = 'email' | 'webhook';

/** Kinds OR, actors OR, tags OR; dimensions AND. An empty filter matches everything. */
export interface SubscriptionFilter {
  kinds: string[];
  actors: string[];
  tags: string[];
}

/** A webhook signing secret, sealed at rest; a rotated-out secret keeps signing until it expires. */
export interface SealedSecret {
  sealed: string;
  createdAt: string;
  expiresAt?: string;
}

export interface Subscription {
  id: string;
  channel: Channel;
  /** Email address (email channel). */
  address?: string;
  /** Target URL (webhook channel). */
  url?: string;
  /** Where to tell the owner of a webhook that it was disabled. */
  contactEmail?: string;
  filter: SubscriptionFilter;
  types: AlertType[];
  status: SubscriptionStatus;
  secrets: SealedSecret[];
  tokenHash?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
  /** When the current run of failed deliveries began. */
  failingSince?: string;
  /** Why the subscription is disabled (or unsubscribed), in words. */
  statusReason?: string;
  /** When a delivery last reached the receiver (moved at most hourly; see shared/domain/subscription-health.ts). */
  lastDeliveryAt?: string;
  /** `daily` or `weekly`: one digest per period instead of an alert per change (absent: immediate). */
  frequency?: DigestFrequency;
  /** The hour (UTC, 0–23) a digest period ends and its digest goes out (digest subscriptions only). */
  digestHour?: number;
  /** A backfill asked for at subscribe time that waits for the confirmation (email only). */
  backfill?: BackfillRequest;
}

/** Past events to send on subscribing: the latest `limit` matching ones, or those dated within from..to. */
export type BackfillRequest = { limit: number } | { from: string; to: string };

/** Whether an event passes a subscription's filter. */
export function matchesFilter(
  filter: SubscriptionFilter,
  event: Pick<TimelineEvent, 'kind' | 'actors' | 'tags'>,
): boolean {
  if (filter.kinds.length > 0 && !filter.kinds.includes(event.kind)) return false;
  if (filter.actors.length > 0) {
    const actors = new Set(event.actors.map(actorKey));
    if (!filter.actors.some((actor) => actors.has(actor))) return false;
  }
  if (filter.tags.length > 0 && !filter.tags.some((tag) => event.tags.includes(tag))) return false;
  return true;
}

export type IndexDimension = { name: 'all' } | { name: 'kind' | 'actor' | 'tag'; value: string };

/**
 * The dimension a subscription is indexed under: the named one with the fewest values (actors before
 * tags before kinds on a tie, as they are rarer on events). Fan-out then reads only the index
 * partitions of the event's own kind, actors and tags, and finds every subscription that can match.
 */
export function subscriptionIndexDimensions(filter: SubscriptionFilter): IndexDimension[] {
  const candidates = [
    { name: 'actor' as const, values: filter.actors },
    { name: 'tag' as const, values: filter.tags },
    { name: 'kind' as const, values: filter.kinds },
  ].filter((candidate) => candidate.values.length > 0);
  if (candidates.length === 0) return [{ name: 'all' }];
  const chosen = candidates.reduce((best, next) => (next.values.length < best.values.length ? next : best));
  return [...new Set(chosen.values)].map((value) => ({ name: chosen.name, value }));
}

/** The index partitions fan-out reads for an event: everything a matching subscription can be indexed under. */
export function eventProbeDimensions(
  event: Pick<TimelineEvent, 'kind' | 'actors' | 'tags'>,
): IndexDimension[] {
  return [
    { name: 'all' },
    { name: 'kind', value: event.kind },
    ...[...new Set(event.actors.map(actorKey))].map((value) => ({ name: 'actor' as const, value })),
    ...[...new Set(event.tags)].map((value) => ({ name: 'tag' as const, value })),
  ];
}

/** A key of the subscription index: one value of each of some dimensions, in kind, actor, tag order; [] is "all". */
export type IndexKey = { name: 'kind' | 'actor' | 'tag'; value: string }[];

/** Index items one subscription may have before it is indexed more coarsely. */
export const MAX_INDEX_KEYS = 16;

const INDEX_DIMENSIONS = ['kind', 'actor', 'tag'] as const;
type IndexDimensionName = (typeof INDEX_DIMENSIONS)[number];

/** Every non-empty subset of `names`, in their order. */
function subsetsOf(names: readonly IndexDimensionName[]): IndexDimensionName[][] {
  const subsets: IndexDimensionName[][] = [];
  for (let mask = 1; mask < 1 << names.length; mask++) {
    subsets.push(names.filter((_, i) => mask & (1 << i)));
  }
  return subsets;
}

/** The cartesian product of one choice per list (no keys when a list is empty). */
function combinations(choices: IndexKey[]): IndexKey[] {
  return choices.reduce<IndexKey[]>(
    (keys, options) => keys.flatMap((key) => options.map((option) => [...key, option])),
    [[]],
  );
}

/**
 * Where a subscription is indexed: under every combination of the values of the dimensions it
 * names (kind × actor × tag), so that fan-out reads only subscriptions whose every named dimension
 * the event meets. When that takes more than MAX_INDEX_KEYS items, under the combinations of the
 * most dimensions that fit (fewest items first); when no two fit, under the single dimension of
 * subscriptionIndexDimensions. Fan-out re-checks every filter, so a coarser key costs reads, never matches.
 */
export function subscriptionIndexKeys(filter: SubscriptionFilter): IndexKey[] {
  const values: Record<IndexDimensionName, string[]> = {
    kind: [...new Set(filter.kinds)],
    actor: [...new Set(filter.actors)],
    tag: [...new Set(filter.tags)],
  };
  const named = INDEX_DIMENSIONS.filter((name) => values[name].length > 0);
  const best = subsetsOf(named)
    .filter((subset) => subset.length > 1)
    .map((subset) => ({ subset, size: subset.reduce((n, name) => n * values[name].length, 1) }))
    .filter(({ size }) => size <= MAX_INDEX_KEYS)
    .sort((a, b) => b.subset.length - a.subset.length || a.size - b.size)[0];
  if (!best) {
    return subscriptionIndexDimensions(filter).map((dimension) =>
      dimension.name === 'all' ? [] : [dimension],
    );
  }
  return combinations(best.subset.map((name) => values[name].map((value) => ({ name, value }))));
}

/** The index keys fan-out reads for an event: every key a matching subscription can be indexed under. */
export function eventProbeKeys(event: Pick<TimelineEvent, 'kind' | 'actors' | 'tags'>): IndexKey[] {
  const singles = eventProbeDimensions(event).filter(
    (dimension): dimension is IndexKey[number] => dimension.name !== 'all',
  );
  const byName = (name: IndexDimensionName) => singles.filter((dimension) => dimension.name === name);
  return [
    [],
    ...subsetsOf(INDEX_DIMENSIONS).flatMap((subset) => combinations(subset.map((name) => byName(name)))),
  ];
}

/** The signing secrets still valid at `now` (the current one and any rotated-out one inside its overlap). */
export function liveSecrets(secrets: SealedSecret[], now: Date): SealedSecret[] {
  return secrets.filter(
    (secret) => secret.expiresAt === undefined || Date.parse(secret.expiresAt) > now.getTime(),
  );
}

/**
 * A short human description of a filter, for emails and pages: "kind missile-launch, and actor KP
 * or RU". Only what `shownFilter` lets through is written out (a mail must not echo the text of
 * whoever subscribed the address); the rest is counted ("or 2 more").
 */
export function describeFilter(filter: SubscriptionFilter): string {
  const shown = shownFilter(filter);
  const dimension = (name: string, { shown, more }: ShownValues) => {
    if (shown.length === 0) return more === 0 ? '' : `${more} ${name}${more === 1 ? '' : 's'} (not shown)`;
    return `${name} ${[...shown, ...(more > 0 ? [`${more} more`] : [])].join(' or ')}`;
  };
  const parts = [
    dimension('kind', shown.kinds),
    dimension('actor', shown.actors),
    dimension('tag', shown.tags),
  ].filter(Boolean);
  return parts.length ? parts.join(', and ') : 'every event';
}
