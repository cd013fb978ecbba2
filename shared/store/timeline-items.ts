import { timelineSortKey } from '../domain/dates.ts';
import { actorKey, type TimelineEvent } from '../domain/event.ts';
import { changeIndexItems, changeIndexKeys } from './change-index.ts';
import { coveragePartition, type Dimension, timelinePartition } from './keys.ts';
import { coverageGranules, needsCoverage } from './timeline-plan.ts';

/** The dimensions an event is listed under: all, its kind, each actor and each tag. */
export function eventDimensions(event: Pick<TimelineEvent, 'kind' | 'actors' | 'tags'>): Dimension[] {
  const actors = [...new Set(event.actors.map(actorKey))];
  return [
    { name: 'all' },
    { name: 'kind', value: event.kind },
    ...actors.map((value) => ({ name: 'actor' as const, value })),
    ...[...new Set(event.tags)].map((value) => ({ name: 'tag' as const, value })),
  ];
}

export interface TimelineItemKey {
  pk: string;
  sk: string;
}

/**
 * Keys of every item an event is materialised as: its timeline items (postings) and its entries in
 * the change index (change-index.ts), so that writes, repairs and deletions keep both in step.
 */
export function timelineItemKeys(event: TimelineEvent): TimelineItemKey[] {
  return [...postingKeys(event), ...changeIndexKeys(event, eventDimensions(event))];
}

function postingKeys(event: TimelineEvent): TimelineItemKey[] {
  const sk = timelineSortKey(event);
  const dimensions = eventDimensions(event);
  const keys = dimensions.map((dimension) => ({ pk: timelinePartition(dimension), sk }));
  if (needsCoverage(event)) {
    const granules = coverageGranules(event.earliest, event.latest);
    for (const dimension of dimensions) {
      for (const granule of granules) keys.push({ pk: coveragePartition(dimension, granule), sk });
    }
  }
  return keys;
}

/** A timeline item carries the whole event, so a page is read from the timeline items alone. */
export function timelineItems(event: TimelineEvent) {
  const postings = postingKeys(event).map((key) => ({
    ...key,
    type: 'timeline',
    earliest: event.earliest,
    latest: event.latest,
    version: event.version,
    event,
  }));
  return [...postings, ...changeIndexItems(event, eventDimensions(event))];
}
