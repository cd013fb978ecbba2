/**
 * Mails that list events: the daily or weekly digest (one mail for a period's changes) and a past
 * event sent again by a replay or backfill. Pure, like render.ts, in the alert mail's design: each
 * event with its date in words and as written, its facts, summary, sources and link.
 */
import { BASE_HEADERS, escapeHtml, htmlDocument, htmlLink, htmlParagraphs, oneLine, STYLE } from './html.ts';
import { humanCalendarDate, humanDate, humanDateParts } from './human-date.ts';
import type { AlertActor, AlertEvent, AlertSource, AlertType, OutgoingEmail } from './types.ts';

export interface ListedEvent {
  /** How the event stands at the end of the period (a replayed event: `created`). */
  status: 'created' | 'updated' | 'deleted';
  event: AlertEvent;
  /** What happened to it in the period, oldest first (digests only). */
  changes: { type: AlertType; at: string; changed?: string[] }[];
  /** Its page; none for a deleted event. */
  eventUrl?: string;
}

interface Footer {
  unsubscribeUrl: string;
  /** Why the recipient gets this mail (which filter matched). */
  manageNote?: string;
}

export interface DigestEmailInput extends Footer {
  frequency: 'daily' | 'weekly';
  period: { start: string; end: string };
  items: ListedEvent[];
  /** Events that changed but are not listed (the digest's cap). */
  omitted: number;
  timelineUrl: string;
}

export interface ReplayEmailInput extends Footer {
  event: AlertEvent;
  eventUrl: string;
  replayId: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const times = (n: number) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);

function formatActor(actor: AlertActor): string {
  if (actor.type === 'state') return `${actor.code} (state)`;
  return `${actor.name}${actor.role ? `, ${actor.role}` : ''} (${actor.type})`;
}

function sourceLine(source: AlertSource): string {
  return `${source.publisher}, published ${humanCalendarDate(source.publishedAt) ?? source.publishedAt}`;
}

/** "28 June 2024 07:00 UTC" */
function instant(iso: string): string {
  return `${humanCalendarDate(iso) ?? iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** What happened to a listed event in words: "New", "Updated twice (date, title)", "Deleted". */
function statusLabel(item: ListedEvent): string {
  const updates = item.changes.filter((change) => change.type === 'event.updated');
  const fields = [...new Set(updates.flatMap((change) => change.changed ?? []))];
  const created = item.changes.some((change) => change.type === 'event.created');
  if (item.status === 'deleted') return created ? 'Added and deleted' : 'Deleted';
  if (item.status === 'created')
    return updates.length > 0 ? `New, then updated ${times(updates.length)}` : 'New';
  return `Updated${updates.length > 1 ? ` ${times(updates.length)}` : ''}${fields.length > 0 ? ` (${fields.join(', ')})` : ''}`;
}

/** The facts shown for every listed event, computed once for both parts. */
function factsOf(event: AlertEvent) {
  return {
    when: humanDate(event.date, event.earliest, event.latest, event.precision),
    written: `Written as ${event.date} · precision: ${event.precision}`,
    facts: (
      [
        ['Kind', event.kind],
        [
          'Where',
          event.location ? [event.location.name, event.location.country].filter(Boolean).join(', ') : '',
        ],
        ['Actors', event.actors.map(formatActor).join('; ')],
        ['Tags', event.tags.join(', ')],
      ] as const
    ).filter(([, value]) => value !== ''),
  };
}

function cardText(label: string, item: ListedEvent, number?: number): string[] {
  const { event } = item;
  const { when, written, facts } = factsOf(event);
  const indent = number === undefined ? '' : '   ';
  return [
    `${number === undefined ? '' : `${number}. `}${label}: ${event.title}`,
    `${indent}When: ${when}`,
    `${indent}      ${written}`,
    ...facts.map(([name, value]) => `${indent}${name}: ${value}`),
    ...(event.summary ? [`${indent}${event.summary.replace(/\s+/g, ' ')}`] : []),
    ...(event.sources.length > 0 ? [`${indent}Sources:`] : []),
    ...event.sources.flatMap((s) => [`${indent}  - ${s.title} — ${sourceLine(s)}`, `${indent}    ${s.url}`]),
    ...(item.eventUrl ? [`${indent}View the event: ${item.eventUrl}`] : []),
  ];
}

function cardHtml(label: string, item: ListedEvent): string {
  const { event } = item;
  const { when, written, facts } = factsOf(event);
  const row = (name: string, valueHtml: string) =>
    `<tr><th scope="row" style="${STYLE.th}">${escapeHtml(name)}</th><td>${valueHtml}</td></tr>`;
  const sourceItem = (s: AlertSource) =>
    `<li>${htmlLink(s.url, s.title)} — ${escapeHtml(sourceLine(s))}</li>`;
  return [
    `<p style="${STYLE.muted};margin:16px 0 0">${escapeHtml(label)}</p>`,
    `<h2 style="font-size:18px;margin:2px 0 8px">${escapeHtml(event.title)}</h2>`,
    '<table role="presentation" style="border-collapse:collapse">',
    row('When', `${escapeHtml(when)}<br><span style="${STYLE.muted}">${escapeHtml(written)}</span>`),
    ...facts.map(([name, value]) => row(name, escapeHtml(value))),
    '</table>',
    event.summary ? htmlParagraphs(event.summary) : '',
    event.sources.length > 0 ? `<ol>\n${event.sources.map(sourceItem).join('\n')}\n</ol>` : '',
    item.eventUrl ? `<p>${htmlLink(item.eventUrl, 'View the event on Dateline')}</p>` : '',
  ]
    .filter((part) => part !== '')
    .join('\n');
}

function footerText(footer: Footer): string[] {
  return [
    '',
    '-- ',
    ...(footer.manageNote ? [footer.manageNote] : []),
    `Unsubscribe (one click): ${footer.unsubscribeUrl}`,
    '',
  ];
}

function footerHtml(footer: Footer): string {
  return [
    '<hr style="border:none;border-top:1px solid #ddd">',
    `<p style="${STYLE.muted}">${footer.manageNote ? `${escapeHtml(footer.manageNote)}<br>` : ''}${htmlLink(footer.unsubscribeUrl, 'Unsubscribe')} from these alerts with one click.</p>`,
  ].join('\n');
}

function mail(to: string, subject: string, text: string[], html: string[], footer: Footer): OutgoingEmail {
  return {
    to,
    subject,
    text: [...text, ...footerText(footer)].join('\n'),
    html: htmlDocument(subject, [...html, footerHtml(footer)].join('\n')),
    headers: {
      ...BASE_HEADERS,
      // RFC 8058 one-click, as on every alert mail.
      'List-Unsubscribe': `<${footer.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}

/** One mail for a period's changes: every listed event once, in timeline order. */
export function renderDigestEmail(to: string, input: DigestEmailInput): OutgoingEmail {
  const heading = input.frequency === 'weekly' ? 'Weekly digest' : 'Daily digest';
  const total = input.items.length + input.omitted;
  const lastDay = new Date(Date.parse(input.period.end) - 1).toISOString();
  const days =
    input.frequency === 'weekly'
      ? `${humanCalendarDate(input.period.start)} – ${humanCalendarDate(lastDay)}`
      : humanCalendarDate(input.period.end);
  const subject = oneLine(`[Dateline] ${heading}, ${days}: ${plural(total, 'event')}`);
  const intro = `${plural(total, 'event')} you follow changed between ${instant(input.period.start)} and ${instant(input.period.end)}.`;
  const more =
    input.omitted > 0
      ? `…and ${plural(input.omitted, 'more event')} that did not fit in this mail: see the timeline at ${input.timelineUrl}`
      : undefined;
  const text = [
    `${heading} · Dateline`,
    '',
    intro,
    ...input.items.flatMap((item, i) => ['', ...cardText(statusLabel(item), item, i + 1)]),
    ...(more ? ['', more] : []),
  ];
  const html = [
    `<p style="${STYLE.muted};margin:0">${escapeHtml(heading)} · Dateline</p>`,
    `<h1 style="font-size:22px;margin:4px 0 12px">${escapeHtml(plural(total, 'event'))} changed</h1>`,
    `<p>${escapeHtml(intro)}</p>`,
    ...input.items.map((item) => cardHtml(statusLabel(item), item)),
    ...(input.omitted > 0
      ? [
          `<p>…and ${escapeHtml(plural(input.omitted, 'more event'))} that did not fit in this mail: ${htmlLink(input.timelineUrl, 'see the timeline')}.</p>`,
        ]
      : []),
  ];
  return mail(to, subject, text, html, input);
}

/** A past event sent again on request (a replay or the backfill of a new subscription). */
export function renderReplayEmail(to: string, input: ReplayEmailInput): OutgoingEmail {
  const heading = 'From the timeline';
  const item: ListedEvent = { status: 'created', event: input.event, changes: [], eventUrl: input.eventUrl };
  const { date, earliest, latest, precision } = input.event;
  const reading = humanDateParts(date, earliest, latest, precision);
  const when = [reading.text, ...reading.notes].join(', ');
  const subject = oneLine(`[Dateline] ${heading}: ${input.event.title} (${when})`);
  const why = `A past event, sent because past events were asked for (replay ${input.replayId}).`;
  const text = [`${heading} · Dateline`, '', why, '', ...cardText('Event', item)];
  const html = [
    `<p style="${STYLE.muted};margin:0">${escapeHtml(heading)} · Dateline</p>`,
    `<p>${escapeHtml(why)}</p>`,
    cardHtml('Event', item),
  ];
  return mail(to, subject, text, html, input);
}
