import { html } from 'hono/html';
import { type ShownValues, shownFilter } from '../domain/filter-values.ts';
import type { Html } from './layout.ts';
import { actorValueLabel, kindLabel } from './names.ts';

interface FilterValues {
  kinds: readonly string[];
  actors: readonly string[];
  tags: readonly string[];
}

function joined({ shown, more }: ShownValues, label: (value: string) => string, noun: string): string {
  if (shown.length === 0) return `${more} ${noun}${more === 1 ? '' : 's'} not shown`;
  return [...shown.map(label), ...(more > 0 ? [`${more} more`] : [])].join(' or ');
}

/**
 * A filter in words for a page: "kind Missile launch; involving Russia (RU) or North Korea (KP);
 * tagged sanctions". The values are what `shownFilter` lets through, as in the mails, since a
 * subscription's filter is whatever its subscriber sent.
 */
export function filterInWords(filter: FilterValues): Html {
  const shown = shownFilter(filter);
  const parts: string[] = [];
  if (shown.kinds.shown.length + shown.kinds.more > 0)
    parts.push(`kind ${joined(shown.kinds, kindLabel, 'kind')}`);
  if (shown.actors.shown.length + shown.actors.more > 0)
    parts.push(`involving ${joined(shown.actors, actorValueLabel, 'actor')}`);
  if (shown.tags.shown.length + shown.tags.more > 0)
    parts.push(`tagged ${joined(shown.tags, (tag) => tag, 'tag')}`);
  return html`${parts.length > 0 ? parts.join('; ') : 'every event'}`;
}
