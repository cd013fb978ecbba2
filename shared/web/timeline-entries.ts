/**
 * The events of a timeline page as bytes. An event shows the same on every page until it changes,
 * and its span the same on every page with the same axis, so both are kept, encoded: a page of 50
 * is then mostly copied rather than built and encoded again (the front page is read far more often
 * than it changes). Every value in them is escaped where they are built (event-parts.ts).
 */
import type { TimelineEvent } from '../domain/event.ts';
import { dateInWords, escapeText, eventFacts, kindBadge } from './event-parts.ts';
import { memo } from './memo.ts';
import { eventSpanSvg, type TimeAxis } from './time-axis.ts';

const bytes = (markup: string) => Buffer.from(markup, 'utf8');
const versionOf = (event: TimelineEvent) => `${event.id}\u0000${event.version}\u0000${event.updatedAt}`;

/** An event's markup around its span, encoded once: the bytes before the span and after it. */
const entryParts = memo((event: TimelineEvent): [Uint8Array, Uint8Array] => {
  const head = `<li><article><div class="event-head"><span class="when">${escapeText(dateInWords(event))}</span>${kindBadge(event.kind)}</div><h2><a href="/events/${event.id}">${escapeText(event.title)}</a></h2><div class="span-line">`;
  const tail = `</div>${event.summary ? `<p class="summary">${escapeText(event.summary)}</p>` : ''}${eventFacts(event)}</article></li>`;
  const encoded = bytes(head + tail);
  const split = Buffer.byteLength(head, 'utf8');
  return [encoded.subarray(0, split), encoded.subarray(split)];
}, versionOf);

const entrySpan = memo(
  ({ axis, event }: { axis: TimeAxis; event: TimelineEvent }) => bytes(eventSpanSvg(axis, event)),
  ({ axis, event }) =>
    `${axis.start}:${axis.end}\u0000${event.date}\u0000${event.earliest}\u0000${event.latest}\u0000${event.qualifier ?? ''}`,
  5000,
);

/** The list items of a page's events, in order, as byte chunks. */
export function timelineEntries(events: TimelineEvent[], axis: TimeAxis): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (const event of events) {
    const [head, tail] = entryParts(event);
    chunks.push(head, entrySpan({ axis, event }), tail);
  }
  return chunks;
}
