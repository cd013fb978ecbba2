import { isCountryCode } from './country.ts';
import { eventKinds } from './event.ts';

/** Values of one filter dimension fit to show a person: the first few that pass, and how many are not shown. */
export interface ShownValues {
  shown: string[];
  more: number;
}

export interface ShownFilter {
  kinds: ShownValues;
  actors: ShownValues;
  tags: ShownValues;
}

/** At most this many values of a dimension are written out; the rest are counted. */
export const SHOWN_VALUES = 5;
/** A name or tag longer than this is cut, with an ellipsis. */
export const SHOWN_LENGTH = 32;

const KINDS: ReadonlySet<string> = new Set(eventKinds);
const TAG = /^[a-z0-9][a-z0-9-]*$/;
// Letters, digits and hyphens only: no markup, no URL, no address, no line break survives.
const NAME = /^[\p{L}\p{N}][\p{L}\p{N}-]*$/u;

const cut = (value: string) =>
  value.length > SHOWN_LENGTH ? `${value.slice(0, SHOWN_LENGTH - 1).replace(/-+$/, '')}…` : value;

function shownValues(values: readonly string[], fits: (value: string) => boolean): ShownValues {
  const passing = [...new Set(values)].filter(fits);
  const shown = passing.slice(0, SHOWN_VALUES).map(cut);
  return { shown, more: new Set(values).size - shown.length };
}

/**
 * What of a subscription filter may be shown in a mail or a page: anyone can subscribe any address
 * with any filter, so the mail it triggers must not carry the caller's text. Known kinds, ISO
 * codes, and tags and names in their normalised form (lowercase words joined by hyphens) pass,
 * cut to SHOWN_LENGTH; anything else, and any value past the first SHOWN_VALUES, is only counted.
 */
export function shownFilter(filter: {
  kinds: readonly string[];
  actors: readonly string[];
  tags: readonly string[];
}): ShownFilter {
  return {
    kinds: shownValues(filter.kinds, (kind) => KINDS.has(kind)),
    actors: shownValues(filter.actors, (actor) => isCountryCode(actor) || NAME.test(actor)),
    tags: shownValues(filter.tags, (tag) => TAG.test(tag)),
  };
}
