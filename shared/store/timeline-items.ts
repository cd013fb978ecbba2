import { timelineSortKey } from '../domain/dates.ts';
import { actorKey, type TimelineEvent } from '../domain/event.ts';
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

/** Keys of every timeline item (posting) an event is materialised as. */
export function timelineItemKeys(event: TimelineEvent): TimelineItemKey[] {
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
  return timelineItemKeys(event).map((key) => ({
    ...key,
    type: 'timeline',
    earliest: event.earliest,
    latest: event.latest,
    version: event.version,
    event,
  }));
}
