import type { AlternateLink } from './layout.ts';

/**
 * Other representations of the timeline page for its query (the form's parameters, empty ones
 * dropped): the feeds (Atom, RSS, JSON Feed, iCalendar) add their `<link rel="alternate">` here.
 */
export function timelineAlternates(_query: Record<string, string | string[]>): AlternateLink[] {
  return [];
}
