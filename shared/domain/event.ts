import { type DateEnd, type Precision, parseEventDate, type Qualifier } from './dates.ts';

export const eventKinds = [
  'pact-signing',
  'missile-finding',
  'missile-launch',
  'council-meeting',
  'resolution',
  'sanctions-report',
  'statement',
  'military-action',
  'other',
] as const;

export type EventKind = (typeof eventKinds)[number];

let kindLabels: Map<string, string> | undefined;

/** A kind in words: "missile-launch" → "Missile launch" (any other value as it is). */
export function kindLabel(kind: string): string {
  kindLabels ??= new Map(
    eventKinds.map((known) => [known, known[0]!.toUpperCase() + known.slice(1).replaceAll('-', ' ')]),
  );
  return kindLabels.get(kind) ?? kind;
}

export type Actor =
  | { type: 'state'; code: string; role?: string }
  | { type: 'organisation' | 'person'; name: string; role?: string };

export interface Location {
  name: string;
  country?: string;
  lat?: number;
  lon?: number;
}

export interface Source {
  url: string;
  title: string;
  publisher: string;
  publishedAt: string;
}

/** What a client sends to create an event. */
export interface EventInput {
  kind: EventKind;
  title: string;
  summary: string;
  date: string;
  location?: Location;
  actors: Actor[];
  tags: string[];
  sources: Source[];
}

/** An event as stored and served: the input plus its resolved date and bookkeeping. */
export interface TimelineEvent extends EventInput {
  id: string;
  earliest: string;
  latest: string;
  precision: Precision;
  qualifier?: Qualifier;
  /** Intervals only: each end as written, with its own qualifier, or open (`..`) or unknown (empty). */
  start?: DateEnd;
  end?: DateEnd;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** The fields derived from `date`, replaced together so that none of an earlier date lingers. */
const DATE_FIELDS = ['earliest', 'latest', 'precision', 'qualifier', 'start', 'end'] as const;

/** The event with its date fields resolved again from `date` as written (or from `date` given). */
export function withResolvedDate<T extends TimelineEvent>(event: T, date = event.date): T {
  const { date: _trimmed, ...resolved } = parseEventDate(date);
  const next: T = { ...event, date };
  for (const field of DATE_FIELDS) delete next[field];
  return { ...next, ...resolved };
}

/**
 * An event as stored, with what earlier versions did not store derived from its date as written:
 * intervals stored before their ends were kept gain `start` and `end`, and the qualifier of both
 * ends. The timeline items of such an event are unchanged (same earliest, latest and precision).
 */
export function resolveStoredDate<T extends TimelineEvent>(event: T): T {
  if (event.precision !== 'interval' || event.start !== undefined) return event;
  try {
    return withResolvedDate(event);
  } catch {
    // A date this version cannot read is served as it was stored rather than not at all.
    return event;
  }
}

/** The key an actor is filtered by: a state's ISO code, or an organisation's or person's name. */
export function actorKey(actor: Actor): string {
  return actor.type === 'state' ? actor.code.toUpperCase() : normaliseKey(actor.name);
}

/** Filter values are matched case- and spacing-insensitively. */
export function normaliseKey(value: string): string {
  return value.trim().toLowerCase().replace(/\s+/g, '-');
}

/** Normalises a query's actor value the same way the actor keys are built. */
export function normaliseActorQuery(value: string): string {
  const trimmed = value.trim();
  return /^[A-Za-z]{2}$/.test(trimmed) ? trimmed.toUpperCase() : normaliseKey(trimmed);
}

/** The fields a client may change with PATCH (everything it may send on create). */
export const editableFields = [
  'kind',
  'title',
  'summary',
  'date',
  'location',
  'actors',
  'tags',
  'sources',
] as const satisfies readonly (keyof EventInput)[];

/** The previous values of the fields that differ between two versions of an event. */
export function changedFields(before: EventInput, after: EventInput): Partial<EventInput> {
  const previous: Record<string, unknown> = {};
  for (const field of editableFields) {
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field]))
      previous[field] = before[field] ?? null;
  }
  return previous as Partial<EventInput>;
}
