/** The timeline's filter form: a GET form to `/` with the parameters of GET /v1/events. */
import { html, raw } from 'hono/html';
import { eventKinds } from '../domain/event.ts';
import type { Html } from './layout.ts';
import { countriesByName, kindLabel } from './names.ts';

/** The form's fields as the request gave them (shown again as typed, valid or not). */
export interface FormValues {
  kinds: string[];
  actors: string[];
  tags: string[];
  from: string;
  to: string;
  q: string;
  order: string;
  limit: string;
}

let countryOptions: string | undefined;

/** Suggestions for the actor field: every country by name, its code as the value (built once). */
function countryList(): Html {
  // Characters past Latin-1 (the ’ of Côte d’Ivoire) as references: one such character would make
  // every page a two-byte string, twice the memory and a slower encoding to send.
  countryOptions ??= String(
    html`<datalist id="countries">${countriesByName().map(
      ({ code, name }) => html`<option value="${code}">${name}</option>`,
    )}</datalist>`,
  ).replace(/[\u0100-\uffff]/g, (character) => `&#${character.charCodeAt(0)};`);
  return raw(countryOptions);
}

/** One text field per value given, and one more, empty, to add a value (values OR within a field). */
function repeatedField(name: string, label: string, values: string[], hint: string, list?: string): Html {
  const hintId = `filter-${name}-hint`;
  const fields = [...values, ''].map((value, i) => {
    const id = `filter-${name}${i === 0 ? '' : `-${i + 1}`}`;
    const text =
      i === 0
        ? label
        : i === values.length
          ? `Or another ${label.toLowerCase()}`
          : `Or ${label.toLowerCase()}`;
    return html`<div class="field"><label for="${id}">${text}</label><input id="${id}" type="text" name="${name}" value="${value}"${list ? html` list="${list}"` : ''} aria-describedby="${hintId}"></div>`;
  });
  return html`<div class="group">${fields}<p class="hint" id="${hintId}">${hint}</p></div>`;
}

const option = (value: string, label: string, current: string) =>
  html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`;

export function filterForm(values: FormValues): Html {
  const limits = ['10', '20', '50', '100', '200'];
  if (!limits.includes(values.limit)) limits.unshift(values.limit);
  return html`<form class="filters" method="get" action="/" role="search" aria-label="Filter the timeline">
<fieldset><legend>Kind</legend><div class="kinds">${eventKinds.map(
    (kind) =>
      html`<label><input type="checkbox" name="kind" value="${kind}"${values.kinds.includes(kind) ? html` checked` : ''}> ${kindLabel(kind)}</label>`,
  )}</div></fieldset>
<div class="grid">
${repeatedField('actor', 'Actor', values.actors, 'A country code (KP) or name from the list, or an organisation or person (UN Security Council).', 'countries')}
${repeatedField('tag', 'Tag', values.tags, 'Lowercase words joined by hyphens, e.g. ballistic-missiles.')}
<div class="group">
<div class="field"><label for="filter-from">From</label><input id="filter-from" type="text" name="from" value="${values.from}" inputmode="numeric" placeholder="e.g. 2024-06" aria-describedby="filter-dates-hint"></div>
<div class="field"><label for="filter-to">To</label><input id="filter-to" type="text" name="to" value="${values.to}" inputmode="numeric" placeholder="e.g. 2024-06-30" aria-describedby="filter-dates-hint"></div>
<p class="hint" id="filter-dates-hint">YYYY, YYYY-MM or YYYY-MM-DD: an event is shown when any day it can mean falls in the range.</p>
</div>
<div class="group">
<div class="field"><label for="filter-q">Text</label><input id="filter-q" type="search" name="q" value="${values.q}"></div>
<div class="field"><label for="filter-order">Order</label><select id="filter-order" name="order">${option('asc', 'Oldest first', values.order)}${option('desc', 'Newest first', values.order)}</select></div>
<div class="field"><label for="filter-limit">Per page</label><select id="filter-limit" name="limit">${limits.map((limit) => option(limit, limit, values.limit))}</select></div>
</div>
</div>
<div class="actions"><button type="submit">Show</button><a href="/">Clear the filters</a></div>
${countryList()}
</form>`;
}
