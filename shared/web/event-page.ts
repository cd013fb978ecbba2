/** GET /events/{id}: one event, everything it holds, and a form to follow its kind and actors. */
import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import { humanCalendarDate } from '../delivery/email/human-date.ts';
import type { TimelineEvent } from '../domain/event.ts';
import { NotFoundError } from '../errors.ts';
import type { AppDeps } from '../http/context.ts';
import { idParamSchema } from '../http/schemas.ts';
import { dateInWords, eventFacts, kindBadge, timestampInWords } from './event-parts.ts';
import { type Html, htmlResponse, layout } from './layout.ts';
import { subscribeForm } from './subscribe.ts';
import { overviewSvg, timeAxisFor } from './time-axis.ts';

function dateFacts(event: TimelineEvent): Html {
  const first = humanCalendarDate(event.earliest) ?? event.earliest;
  const last = humanCalendarDate(event.latest) ?? event.latest;
  const days = first === last ? `the day ${first}` : `any day from ${first} to ${last}`;
  return html`<dt>Date as written</dt><dd><span class="code">${event.date}</span> — ${days} (precision: ${event.precision}${event.qualifier ? `, ${event.qualifier}` : ''})</dd>`;
}

function coordinates(event: TimelineEvent): Html {
  const { lat, lon } = event.location ?? {};
  if (lat === undefined || lon === undefined) return html``;
  const map = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=10/${lat}/${lon}`;
  return html`<dt>Coordinates</dt><dd>${lat}, ${lon} <a href="${map}" rel="external noopener noreferrer">on a map</a></dd>`;
}

function record(event: TimelineEvent): Html {
  const changed =
    event.updatedAt === event.createdAt
      ? html`first recorded ${timestampInWords(event.createdAt)}, unchanged since`
      : html`${timestampInWords(event.updatedAt)} (version ${event.version}); first recorded ${timestampInWords(event.createdAt)}`;
  return html`<dt>Last changed</dt><dd>${changed}</dd><dt>Data</dt><dd><a href="/v1/events/${event.id}">This event as JSON</a></dd>`;
}

export async function eventPage(c: Context, deps: AppDeps): Promise<Response> {
  const id = c.req.param('id') ?? '';
  if (!idParamSchema().safeParse({ id }).success) throw new NotFoundError(`No event ${id}`);
  const event = await deps.events.get(id);
  const axis = timeAxisFor([event])!;
  const main = html`<article class="event" aria-labelledby="event-title">
<div class="event-head"><span class="when">${dateInWords(event)}</span>${raw(kindBadge(event.kind))}</div>
<h1 id="event-title">${event.title}</h1>
<div class="overview">${raw(overviewSvg(axis, [event], `When: ${dateInWords(event)}`))}</div>
${event.summary ? html`<p class="summary">${event.summary}</p>` : ''}
${raw(eventFacts(event, String(html`${dateFacts(event)}${coordinates(event)}${record(event)}`)))}
</article>
${deps.subscriptions ? subscribeForm({ filter: { kinds: [], actors: [], tags: [] }, choices: { kind: event.kind, actors: event.actors } }) : ''}
<p><a href="/">Back to the timeline</a></p>`;
  return htmlResponse(
    c,
    layout({ title: event.title, description: `${dateInWords(event)}: ${event.title}`, main }),
    200,
    { 'last-modified': new Date(event.updatedAt).toUTCString() },
  );
}
