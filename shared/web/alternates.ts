import { feedAlternates } from '../feeds/feed-links.ts';
import type { AlternateLink } from './layout.ts';

/**
 * Other representations of the timeline page for its query (the form's parameters, empty ones
 * dropped): the feeds of the same filters (Atom, RSS, JSON Feed, iCalendar), as `<link rel="alternate">`.
 */
export function timelineAlternates(query: Record<string, string | string[]>): AlternateLink[] {
  return feedAlternates(query);
}
