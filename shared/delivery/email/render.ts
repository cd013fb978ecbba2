/**
 * Pure email renderers: plain data in, a complete OutgoingEmail (subject, text, HTML, headers) out.
 * No I/O and no clock, so every byte a recipient sees is reproducible from the input in a test.
 */
import { kindLabel } from '../../domain/event.ts';
import { BASE_HEADERS, escapeHtml, htmlDocument, htmlLink, htmlParagraphs, oneLine, STYLE } from './html.ts';
import { humanCalendarDate, humanDate } from './human-date.ts';
import type { AlertActor, AlertEmailInput, AlertEvent, AlertSource, OutgoingEmail } from './types.ts';
import { actorWords, dateWords, locationWords } from './words.ts';

const HEADINGS = {
  'event.created': 'New event',
  'event.updated': 'Event updated',
  'event.deleted': 'Event deleted',
};
const SUBJECT_VERBS = { 'event.created': 'New', 'event.updated': 'Updated', 'event.deleted': 'Deleted' };

function fieldLabel(field: string): string {
  return field === 'location' ? 'Place' : field.charAt(0).toUpperCase() + field.slice(1);
}

function sourceLine(source: AlertSource): string {
  const published = humanCalendarDate(source.publishedAt) ?? source.publishedAt;
  return `${source.publisher}, published ${published}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Renders a field value (previous or current) of any shape as one readable line. */
function formatValue(field: string, value: unknown): string {
  if (value === undefined || value === null || value === '') return '(none)';
  if (field === 'kind' && typeof value === 'string') return kindLabel(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '(none)';
    const items = value.map((item) => {
      if (field === 'actors' && isRecord(item) && (item.type === 'state' || typeof item.name === 'string')) {
        return actorWords(item as unknown as AlertActor);
      }
      if (field === 'sources' && isRecord(item) && typeof item.title === 'string') return item.title;
      return typeof item === 'string' ? item : JSON.stringify(item);
    });
    return items.join(field === 'actors' || field === 'sources' ? '; ' : ', ');
  }
  if (field === 'location' && isRecord(value) && typeof value.name === 'string') {
    return locationWords(value as { name: string; country?: string });
  }
  return JSON.stringify(value);
}

interface Change {
  label: string;
  before: string;
  after: string;
}

/** A date change shows the human readings and the dates as written, so a refinement is visible. */
function dateWithReading(version: Record<string, unknown>): string {
  const { date, earliest, latest, precision } = version;
  if (typeof date !== 'string') return formatValue('date', date);
  const reading = humanDate(date, String(earliest), String(latest), precision as AlertEvent['precision']);
  return `${reading} [${date}]`;
}

function changesOf(event: AlertEvent, previous: Record<string, unknown>): Change[] {
  const after = event as unknown as Record<string, unknown>;
  // The previous version is the current one with the changed fields put back.
  const before = { ...after, ...previous };
  return (
    Object.keys(previous)
      // The bounds, precision and ends are derived from the date; the date row shows the refinement.
      .filter((key) => !(DERIVED_FROM_DATE.has(key) && 'date' in previous))
      .map((key) =>
        key === 'date'
          ? { label: 'Date', before: dateWithReading(before), after: dateWithReading(after) }
          : {
              label: fieldLabel(key),
              before: formatValue(key, previous[key]),
              after: formatValue(key, after[key]),
            },
      )
  );
}

const DERIVED_FROM_DATE = new Set(['earliest', 'latest', 'precision', 'qualifier', 'start', 'end']);

const DELETED_NOTE =
  'This event has been deleted from the Dateline timeline. Below is the last version we had; its page is no longer available.';
const NO_CHANGE_DETAIL = 'The event was updated; no details of the change are available.';

/** Everything an alert shows, computed once so the text and HTML parts cannot disagree. */
interface AlertView {
  heading: string;
  event: AlertEvent;
  deleted: boolean;
  /** The date in words, without caveats: the line below says them once, with the precision. */
  when: string;
  /** How precisely the date is known and how it is written: "an approximate day, written 2024-06-15~". */
  written: string;
  facts: Array<readonly [string, string]>;
  /** Undefined unless the alert is an update. */
  changes?: Change[];
  eventUrl?: string;
  apiUrl?: string;
  manageNote?: string;
  unsubscribeUrl: string;
}

function alertText(view: AlertView): string {
  const { event, changes } = view;
  const section = (title: string, lines: string[]) => (lines.length > 0 ? ['', title, ...lines] : []);
  return [
    `${view.heading} · Dateline`,
    '',
    event.title,
    '',
    ...(view.deleted ? [DELETED_NOTE, ''] : []),
    `When: ${view.when}`,
    `      ${view.written}`,
    ...view.facts.map(([label, value]) => `${label}: ${value}`),
    '',
    event.summary,
    ...(changes
      ? section(
          'What changed',
          changes.length > 0
            ? changes.map((c) => `  ${c.label}: ${c.before} → ${c.after}`)
            : [`  ${NO_CHANGE_DETAIL}`],
        )
      : []),
    ...section(
      'Sources',
      event.sources.flatMap((s, i) => [`  ${i + 1}. ${s.title} — ${sourceLine(s)}`, `     ${s.url}`]),
    ),
    ...(view.eventUrl ? ['', `View the event: ${view.eventUrl}`] : []),
    ...(view.apiUrl ? [`As JSON: ${view.apiUrl}`] : []),
    '',
    '-- ',
    ...(view.manageNote ? [view.manageNote] : []),
    `Unsubscribe (one click): ${view.unsubscribeUrl}`,
    '',
  ].join('\n');
}

function alertHtml(view: AlertView, subject: string): string {
  const { event, changes } = view;
  const row = (label: string, valueHtml: string) =>
    `<tr><th scope="row" style="${STYLE.th}">${escapeHtml(label)}</th><td>${valueHtml}</td></tr>`;
  const h2 = (title: string) => `<h2 style="font-size:17px">${escapeHtml(title)}</h2>`;
  const changeItem = (c: Change) =>
    `<li><strong>${escapeHtml(c.label)}</strong>: <del>${escapeHtml(c.before)}</del> → <ins>${escapeHtml(c.after)}</ins></li>`;
  const sourceItem = (s: AlertSource) =>
    `<li>${htmlLink(s.url, s.title)} — ${escapeHtml(sourceLine(s))}</li>`;
  const parts = [
    `<p style="${STYLE.muted};margin:0">${escapeHtml(view.heading)} · Dateline</p>`,
    `<h1 style="font-size:22px;margin:4px 0 12px">${escapeHtml(event.title)}</h1>`,
    view.deleted ? `<p style="${STYLE.notice}">${escapeHtml(DELETED_NOTE)}</p>` : '',
    '<table role="presentation" style="border-collapse:collapse">',
    row(
      'When',
      `${escapeHtml(view.when)}<br><span style="${STYLE.muted}">${escapeHtml(view.written)}</span>`,
    ),
    ...view.facts.map(([label, value]) => row(label, escapeHtml(value))),
    '</table>',
    htmlParagraphs(event.summary),
    changes ? h2('What changed') : '',
    changes && changes.length > 0 ? `<ul>\n${changes.map(changeItem).join('\n')}\n</ul>` : '',
    changes && changes.length === 0 ? `<p>${escapeHtml(NO_CHANGE_DETAIL)}</p>` : '',
    event.sources.length > 0
      ? `${h2('Sources')}\n<ol>\n${event.sources.map(sourceItem).join('\n')}\n</ol>`
      : '',
    view.eventUrl
      ? `<p>${htmlLink(view.eventUrl, 'View the event on Dateline')}${view.apiUrl ? ` · ${htmlLink(view.apiUrl, 'as JSON')}` : ''}</p>`
      : '',
    '<hr style="border:none;border-top:1px solid #ddd">',
    `<p style="${STYLE.muted}">${view.manageNote ? `${escapeHtml(view.manageNote)}<br>` : ''}${htmlLink(view.unsubscribeUrl, 'Unsubscribe')} from these alerts with one click.</p>`,
  ];
  return htmlDocument(subject, parts.filter((part) => part !== '').join('\n'));
}

/** An alert about one event being created, updated or deleted. */
export function renderAlertEmail(to: string, input: AlertEmailInput): OutgoingEmail {
  const { event, type } = input;
  const { reading, precision } = dateWords(event);
  const deleted = type === 'event.deleted';
  const view: AlertView = {
    heading: HEADINGS[type],
    event,
    deleted,
    when: reading.text,
    written: `${precision}, written ${event.date}`,
    facts: (
      [
        ['Kind', kindLabel(event.kind)],
        ['Where', event.location ? locationWords(event.location) : ''],
        ['Actors', event.actors.map(actorWords).join('; ')],
        ['Tags', event.tags.join(', ')],
      ] as const
    ).filter(([, value]) => value !== ''),
    changes: type === 'event.updated' ? changesOf(event, input.previous ?? {}) : undefined,
    // A deleted event's page no longer resolves, so its alert does not link to it.
    eventUrl: deleted ? undefined : input.eventUrl,
    apiUrl: deleted ? undefined : input.apiUrl,
    manageNote: input.manageNote,
    unsubscribeUrl: input.unsubscribeUrl,
  };
  const when = [reading.text, ...reading.notes].join(', ');
  const subject = oneLine(`[Dateline] ${SUBJECT_VERBS[type]}: ${event.title} (${when})`);
  return {
    to,
    subject,
    text: alertText(view),
    html: alertHtml(view, subject),
    headers: {
      ...BASE_HEADERS,
      // RFC 8058 one-click: mailbox providers POST "List-Unsubscribe=One-Click" to the URL.
      'List-Unsubscribe': `<${input.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}
