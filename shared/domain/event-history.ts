import { type EventInput, type TimelineEvent, withResolvedDate } from './event.ts';

export interface RecordedChange {
  version: number;
  at: string;
  /** The previous values of the fields this change altered (updates only). */
  previous?: Partial<EventInput>;
}

/** The event as it was before a change: the changed fields put back, the date resolved again. */
export function stateBefore(event: TimelineEvent, change: RecordedChange): TimelineEvent {
  const restored: TimelineEvent = { ...event, ...(change.previous ?? {}), version: change.version - 1 };
  if (change.previous && 'location' in change.previous && change.previous.location === null)
    delete restored.location;
  if (change.previous?.date === undefined) return restored;
  return withResolvedDate(restored, change.previous.date);
}

/**
 * The event as each pending change left it, worked back from the current state: when several
 * changes wait to be announced, the alert of each carries the event as it was at that change.
 */
export function statesAtChanges(
  current: TimelineEvent,
  changes: RecordedChange[],
): Map<number, TimelineEvent> {
  const states = new Map<number, TimelineEvent>();
  let state = current;
  for (const change of [...changes].sort((a, b) => b.version - a.version)) {
    if (change.version > current.version) continue;
    while (state.version > change.version) state = { ...state, version: state.version - 1 };
    states.set(change.version, { ...state, updatedAt: change.at });
    state = stateBefore(state, change);
  }
  return states;
}
