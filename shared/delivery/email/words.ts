/**
 * An event in words people read, shared by the alert mail and the webhook payload: countries by
 * name with their codes, kinds in words, actors with their roles, the date and how precisely it is
 * known (said once: the reading, then its precision with the qualifiers).
 */
import { countryLabel } from '../../domain/country.ts';
import type { ReadableEvent } from '../../domain/delivery.ts';
import { kindLabel } from '../../domain/event.ts';
import { humanDateParts, humanPrecision } from './human-date.ts';
import type { AlertActor, AlertEvent } from './types.ts';

/** "North Korea (KP), supplier"; "UN Panel of Experts (organisation), monitor". */
export function actorWords(actor: AlertActor): string {
  const who = actor.type === 'state' ? countryLabel(actor.code) : `${actor.name} (${actor.type})`;
  return actor.role ? `${who}, ${actor.role}` : who;
}

/** "Kharkiv, Ukraine (UA)". */
export function locationWords(location: NonNullable<AlertEvent['location']>): string {
  return location.country ? `${location.name}, ${countryLabel(location.country)}` : location.name;
}

/** The event's date in words and how precisely it is known: "mid-June 2024", "an approximate day". */
export function dateWords(event: Pick<AlertEvent, 'date' | 'earliest' | 'latest' | 'precision'>) {
  const reading = humanDateParts(event.date, event.earliest, event.latest, event.precision);
  return { reading, precision: humanPrecision(event.date, event.precision) };
}

/** What a webhook payload carries beside the event for people (`data.readable`). */
export function readableEvent(event: AlertEvent): ReadableEvent {
  const { reading, precision } = dateWords(event);
  return {
    date: reading.text,
    precision,
    kind: kindLabel(event.kind),
    ...(event.location ? { location: locationWords(event.location) } : {}),
    actors: event.actors.map(actorWords),
  };
}
