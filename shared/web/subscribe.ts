/** Subscribing from a page: the email form (carrying a filter) and what its POST answers. */
import type { Context } from 'hono';
import { html } from 'hono/html';
import { HTTPException } from 'hono/http-exception';
import type { Actor } from '../domain/event.ts';
import { actorKey } from '../domain/event.ts';
import type { AlertType } from '../domain/subscription.ts';
import { type FieldError, TooManyRequestsError } from '../errors.ts';
import type { AppDeps } from '../http/context.ts';
import { createSubscriptionSchema } from '../http/subscription-schemas.ts';
import { validationErrorFrom } from '../http/validation.ts';
import { filterInWords } from './filter-words.ts';
import { type Html, htmlResponse, layout } from './layout.ts';
import { countryName, kindLabel } from './names.ts';

export interface FormFilter {
  kinds: string[];
  actors: string[];
  tags: string[];
}

const TYPES: { value: AlertType; label: string }[] = [
  { value: 'event.created', label: 'new events' },
  { value: 'event.updated', label: 'changes to them' },
  { value: 'event.deleted', label: 'removals' },
];

export interface SubscribeFormOptions {
  filter: FormFilter;
  /** Shown beside the form: the page's filter has parts an alert cannot follow (dates, text). */
  unfollowed?: string[];
  /** The event page's form: its kind and actors as boxes to untick, rather than the page's filter carried along. */
  choices?: { kind: string; actors: Actor[] };
  address?: string;
  types?: string[];
  errors?: FieldError[];
}

const hidden = (name: string, values: string[]) =>
  values.map((value) => html`<input type="hidden" name="${name}" value="${value}">`);

function choiceBoxes(choices: NonNullable<SubscribeFormOptions['choices']>): Html {
  const actor = (a: Actor) => {
    const key = actorKey(a);
    const label = a.type === 'state' ? `${countryName(a.code)} (${a.code})` : a.name;
    return html`<label><input type="checkbox" name="actor" value="${key}" checked> ${label}</label>`;
  };
  return html`<fieldset class="types"><legend>Kind</legend><label><input type="checkbox" name="kind" value="${choices.kind}" checked> ${kindLabel(choices.kind)}</label></fieldset>
${choices.actors.length > 0 ? html`<fieldset class="types"><legend>Involving any of</legend>${choices.actors.map(actor)}</fieldset>` : ''}`;
}

/** The email form: a confirmation mail first, then alerts for the filter it carries. */
export function subscribeForm(options: SubscribeFormOptions): Html {
  const types = options.types ?? ['event.created'];
  const { filter } = options;
  return html`<section class="subscribe" aria-labelledby="subscribe-title">
<h2 id="subscribe-title">Follow by email</h2>
${options.choices ? '' : html`<p>Alerts for <strong>${filterInWords(filter)}</strong>.</p>`}
${options.unfollowed?.length ? html`<p class="muted">An alert follows kinds, actors and tags only; ${options.unfollowed.join(' and ')} of this page are not part of it.</p>` : ''}
${options.errors?.length ? errorSummary(options.errors, 'subscribe-errors') : ''}
<form method="post" action="/subscribe">
${options.choices ? choiceBoxes(options.choices) : [hidden('kind', filter.kinds), hidden('actor', filter.actors), hidden('tag', filter.tags)]}
<div class="row"><div class="field"><label for="subscribe-address">Email address</label>
<input id="subscribe-address" type="email" name="address" required autocomplete="email" value="${options.address ?? ''}"></div>
<fieldset class="types"><legend>Tell me about</legend>${TYPES.map(
    (type) =>
      html`<label><input type="checkbox" name="type" value="${type.value}"${types.includes(type.value) ? html` checked` : ''}> ${type.label}</label>`,
  )}</fieldset>
<button type="submit">Subscribe</button></div>
</form>
<p class="muted">A confirmation mail comes first; nothing else is sent until you confirm. Every mail has a one-click unsubscribe link.</p>
</section>`;
}

const FIELD_NAMES: Record<string, string> = {
  'body.address': 'Email address',
  'body.filter.kinds': 'Kind',
  'body.filter.actors': 'Actor',
  'body.filter.tags': 'Tag',
  'body.types': 'Tell me about',
};

const fieldName = (path: string) =>
  Object.entries(FIELD_NAMES).find(([prefix]) => path === prefix || path.startsWith(`${prefix}.`))?.[1] ??
  path.replace(/^(body|query)\./, '');

/** The list of what is wrong with a form, named by its fields. */
export function errorSummary(errors: FieldError[], id: string): Html {
  return html`<div class="errors" role="alert" aria-labelledby="${id}"><h2 id="${id}">Please correct this</h2>
<ul>${errors.map((error) => html`<li>${fieldName(error.path)}: ${error.message}</li>`)}</ul></div>`;
}

const strings = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
    (item): item is string => typeof item === 'string',
  );

/** The form's fields: urlencoded or multipart; anything else is refused with 415. */
async function readForm(c: Context): Promise<Record<string, unknown>> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') {
    throw new HTTPException(415, { message: 'Send the form as application/x-www-form-urlencoded' });
  }
  try {
    return await c.req.parseBody({ all: true });
  } catch (error) {
    throw new HTTPException(400, { message: 'The form could not be read', cause: error });
  }
}

/** POST /subscribe: the form's fields through the API's own subscription schema, then the double opt-in. */
export async function subscribeAction(c: Context, deps: AppDeps): Promise<Response> {
  const form = await readForm(c);
  const address = strings(form.address)[0]?.trim() ?? '';
  const filter = { kinds: strings(form.kind), actors: strings(form.actor), tags: strings(form.tag) };
  const types = strings(form.type);
  const parsed = createSubscriptionSchema().safeParse({ channel: 'email', address, filter, types });
  const again = (errors: FieldError[], status: 400 | 429, headers: Record<string, string> = {}) =>
    htmlResponse(
      c,
      layout({
        title: 'Subscribe',
        main: html`<h1>Subscribe</h1>${subscribeForm({ filter: cleanFilter(filter), address, types, errors })}`,
      }),
      status,
      headers,
      { private: true },
    );
  if (!parsed.success) return again(validationErrorFrom(parsed.error, 'body').errors, 400);
  const body = parsed.data;
  if (body.channel !== 'email' || !deps.subscriptions) throw new HTTPException(404);
  const service = await deps.subscriptions.service();
  try {
    await service.subscribeEmail(body.address, body.filter, body.types);
  } catch (error) {
    if (!(error instanceof TooManyRequestsError)) throw error;
    return again([{ path: 'body.address', message: error.message }], 429, {
      'retry-after': String(error.retryAfterSeconds),
    });
  }
  const main = html`<h1>Check your inbox</h1>
<p>A confirmation link is on its way to <strong>${body.address}</strong>. Alerts for <strong>${filterInWords(body.filter)}</strong> start once you follow it and press Confirm.</p>
<p class="muted">No mail? It can take a minute; look in the spam folder too. Nothing is sent to this address unless it is confirmed.</p>
<p><a href="/">Back to the timeline</a></p>`;
  return htmlResponse(
    c,
    layout({ title: 'Check your inbox', main, noindex: true }),
    202,
    {},
    { private: true },
  );
}

/** A refused form's filter, shown again: only values fit to show (see filterInWords) are carried. */
function cleanFilter(filter: FormFilter): FormFilter {
  const fits = (value: string) => value.length <= 200 && !/[\r\n]/.test(value);
  return {
    kinds: filter.kinds.filter(fits),
    actors: filter.actors.filter(fits),
    tags: filter.tags.filter(fits),
  };
}
