import type { Precision, Qualifier } from './dates.ts';

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
  createdAt: string;
  updatedAt: string;
  version: number;
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
