/**
 * The time-axis drawings, as server-rendered SVG (no script): an overview of a page of events (how
 * densely they fall, each one's span as a mark, the years or months below) and, per event, its span
 * on the same axis, so a column of them reads like a chart. An interval is a bar, a day a narrow
 * one; an approximate date is drawn pale with a dashed outline, an uncertain one dotted and marked
 * "?"; an open end runs to the edge with an arrow. Only numbers and our own words go into the
 * markup, never event text, so it is built as plain strings.
 */

import { escapeHtml } from '../delivery/email/html.ts';
import { MONTH_NAMES } from '../domain/calendar.ts';

const DAY_MS = 86_400_000;
const WIDTH = 1000;
const MONTHS = MONTH_NAMES.map((name) => name.slice(0, 3));

/** What the drawing needs of an event. */
export interface AxisDate {
  date: string;
  earliest: string;
  latest: string;
  qualifier?: string;
}

/** The days an axis covers: [start, end), in days since 1970-01-01. */
export interface TimeAxis {
  start: number;
  end: number;
}

interface Shape {
  from: number;
  to: number;
  openStart: boolean;
  openEnd: boolean;
  approximate: boolean;
  uncertain: boolean;
}

const dayNumber = (iso: string) => Math.floor(Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) / DAY_MS);

/** How an event date is drawn: its days, and what is open, approximate or uncertain about it. */
// Pages ask for the same dates again and again; a shape is a few numbers and flags.
const shapes = new Map<string, Shape>();

function shapeOf(event: AxisDate): Shape {
  const key = `${event.date}\u0000${event.earliest}\u0000${event.latest}\u0000${event.qualifier ?? ''}`;
  let shape = shapes.get(key);
  if (shape === undefined) {
    shape = readShape(event);
    if (shapes.size >= 5000) shapes.clear();
    shapes.set(key, shape);
  }
  return shape;
}

function readShape(event: AxisDate): Shape {
  const written = event.date.trim();
  const qualifier = event.qualifier ?? '';
  return {
    from: dayNumber(event.earliest),
    to: dayNumber(event.latest) + 1,
    openStart: /^(\.\.)?\//.test(written),
    openEnd: /\/(\.\.)?$/.test(written),
    approximate: /[~%]/.test(written) || qualifier.includes('approximate'),
    uncertain: /[?%]/.test(written) || qualifier.includes('uncertain'),
  };
}

/**
 * The axis for a page of events: their extent (an open end does not stretch it), widened to the
 * filter's range where one is given, padded, and at least two months wide. Undefined without events.
 */
export function timeAxisFor(
  events: AxisDate[],
  range: { from?: string; to?: string } = {},
): TimeAxis | undefined {
  const bounds: number[] = [];
  for (const event of events) {
    const shape = shapeOf(event);
    if (!Number.isFinite(shape.from) || !Number.isFinite(shape.to)) continue;
    if (!shape.openStart) bounds.push(shape.from);
    if (!shape.openEnd) bounds.push(shape.to);
    if (shape.openStart && shape.openEnd) bounds.push(shape.from, shape.to);
  }
  if (range.from) bounds.push(dayNumber(range.from));
  if (range.to) bounds.push(dayNumber(range.to) + 1);
  const known = bounds.filter(Number.isFinite);
  if (known.length === 0) return undefined;
  let start = Math.min(...known);
  let end = Math.max(...known);
  const minimum = 61;
  if (end - start < minimum) {
    const middle = (start + end) / 2;
    start = Math.floor(middle - minimum / 2);
    end = Math.ceil(middle + minimum / 2);
  }
  const pad = Math.ceil((end - start) * 0.02);
  return { start: start - pad, end: end + pad };
}

/** To a tenth of a unit: enough on a 1000-unit axis, and short in the markup. */
const tenth = (n: number) => Math.round(n * 10) / 10;

const x = (axis: TimeAxis, day: number) => tenth(((day - axis.start) / (axis.end - axis.start)) * WIDTH);

const classes = (shape: Shape) =>
  `span${shape.approximate ? ' approximate' : ''}${shape.uncertain ? ' uncertain' : ''}`;

/** The bar (and arrow, and "?") of one date between y and y + height. */
function spanMarks(axis: TimeAxis, shape: Shape, y: number, height: number, marks = true): string {
  const edge = 10;
  const left = shape.openStart ? edge : Math.max(0, x(axis, shape.from));
  const right = shape.openEnd ? WIDTH - edge : Math.min(WIDTH, x(axis, shape.to));
  const minimum = 4;
  const barLeft = tenth(
    right - left < minimum ? Math.max(0, Math.min(WIDTH - minimum, (left + right - minimum) / 2)) : left,
  );
  const width = tenth(Math.max(minimum, right - left));
  let out = `<rect class="${classes(shape)}" x="${barLeft}" y="${y}" width="${width}" height="${height}" rx="2"/>`;
  if (!marks) return out;
  const mid = y + height / 2;
  if (shape.openEnd)
    out += `<path class="open" d="M${WIDTH - edge} ${y - 2}L${WIDTH} ${mid}L${WIDTH - edge} ${y + height + 2}Z"/>`;
  if (shape.openStart)
    out += `<path class="open" d="M${edge} ${y - 2}L0 ${mid}L${edge} ${y + height + 2}Z"/>`;
  if (shape.uncertain) {
    const after = tenth(barLeft + width + 5);
    const at = after + 10 <= WIDTH ? after : Math.max(0, tenth(barLeft - 14));
    out += `<text class="doubt" x="${at}" y="${y + height}">?</text>`;
  }
  return out;
}

/** One event's span on the page's axis: decorative beside the date in words, so hidden from screen readers. */
const spans = new Map<string, string>();

export function eventSpanSvg(axis: TimeAxis, event: AxisDate): string {
  const shape = shapeOf(event);
  const key = `${axis.start}:${axis.end}:${shape.from}:${shape.to}:${shape.openStart}${shape.openEnd}${shape.approximate}${shape.uncertain}`;
  let svg = spans.get(key);
  if (svg === undefined) {
    svg = spanSvg(axis, shape);
    if (spans.size >= 5000) spans.clear();
    spans.set(key, svg);
  }
  return svg;
}

function spanSvg(axis: TimeAxis, shape: Shape): string {
  return `<svg viewBox="0 0 ${WIDTH} 20" aria-hidden="true" focusable="false"><line class="axis" x1="0" y1="10" x2="${WIDTH}" y2="10"/>${spanMarks(axis, shape, 4, 12)}</svg>`;
}

interface Tick {
  day: number;
  label: string;
}

function utc(day: number): Date {
  return new Date(day * DAY_MS);
}

/** Ticks at years, months or days, whichever gives a handful across the axis. */
function ticksOf(axis: TimeAxis): Tick[] {
  const first = utc(axis.start);
  const last = utc(axis.end);
  const days = axis.end - axis.start;
  const ticks: Tick[] = [];
  if (days > 3 * 366) {
    const years = last.getUTCFullYear() - first.getUTCFullYear();
    const step = [1, 2, 5, 10, 20, 50, 100, 250, 500, 1000].find((s) => years / s <= 9) ?? 1000;
    for (
      let year = Math.ceil(first.getUTCFullYear() / step) * step;
      year <= last.getUTCFullYear();
      year += step
    ) {
      const day = Date.UTC(year, 0, 1) / DAY_MS;
      if (day >= axis.start && day < axis.end) ticks.push({ day, label: String(year) });
    }
    return ticks;
  }
  if (days > 62) {
    const months =
      (last.getUTCFullYear() - first.getUTCFullYear()) * 12 + last.getUTCMonth() - first.getUTCMonth();
    const step = [1, 2, 3, 6, 12].find((s) => months / s <= 9) ?? 12;
    const at = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1));
    while (at.getUTCMonth() % step !== 0) at.setUTCMonth(at.getUTCMonth() + 1);
    for (; at.getTime() < last.getTime(); at.setUTCMonth(at.getUTCMonth() + step)) {
      const month = at.getUTCMonth();
      const label =
        month === 0 || ticks.length === 0 ? `${MONTHS[month]} ${at.getUTCFullYear()}` : MONTHS[month]!;
      ticks.push({ day: at.getTime() / DAY_MS, label });
    }
    return ticks;
  }
  const step = [1, 2, 7, 14].find((s) => days / s <= 9) ?? 14;
  for (let day = axis.start + 1; day < axis.end; day += step) {
    const date = utc(day);
    ticks.push({ day, label: `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]}` });
  }
  return ticks;
}

const monthYear = (day: number) => {
  const date = utc(day);
  return `${MONTH_NAMES[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
};

/**
 * The overview of a page: a density strip (each event spreads one unit over the days it can mean,
 * so the tall parts are where many dated things fall), each event's span as a mark, and the axis.
 */
const overviews = new Map<string, string>();

export function overviewSvg(axis: TimeAxis, events: AxisDate[], label?: string): string {
  let key = `${axis.start}:${axis.end}:${label ?? ''}`;
  for (const event of events)
    key += `\u0000${event.date}\u0000${event.earliest}\u0000${event.latest}\u0000${event.qualifier ?? ''}`;
  let svg = overviews.get(key);
  if (svg === undefined) {
    svg = drawOverview(axis, events, label);
    if (overviews.size >= 500) overviews.clear();
    overviews.set(key, svg);
  }
  return svg;
}

function drawOverview(axis: TimeAxis, events: AxisDate[], label?: string): string {
  const bins = 50;
  const weight = new Array<number>(bins).fill(0);
  const binOf = (day: number) =>
    Math.min(bins - 1, Math.max(0, Math.floor(((day - axis.start) / (axis.end - axis.start)) * bins)));
  const drawn = events
    .map(shapeOf)
    .filter((shape) => Number.isFinite(shape.from) && Number.isFinite(shape.to));
  for (const shape of drawn) {
    const from = binOf(shape.openStart ? axis.start : shape.from);
    const to = binOf((shape.openEnd ? axis.end : shape.to) - 1);
    for (let bin = from; bin <= to; bin++) weight[bin]! += 1 / (to - from + 1);
  }
  const heaviest = Math.max(...weight, 1e-9);
  const binWidth = WIDTH / bins;
  let density = '';
  // One event has no density to show.
  for (const [bin, value] of drawn.length > 1 ? weight.entries() : []) {
    if (value === 0) continue;
    const height = Math.max(1.5, Math.round((value / heaviest) * 34 * 10) / 10);
    density += `<rect class="density" x="${Math.round(bin * binWidth * 10) / 10}" y="${38 - height}" width="${binWidth - 1}" height="${height}"/>`;
  }
  const rug = drawn.map((shape) => spanMarks(axis, shape, 41, 8, false)).join('');
  let ticks = '';
  for (const tick of ticksOf(axis)) {
    const at = x(axis, tick.day);
    const anchor = at < 30 ? 'start' : at > WIDTH - 30 ? 'end' : 'middle';
    ticks += `<line class="tick" x1="${at}" y1="52" x2="${at}" y2="57"/><text class="label" x="${at}" y="70" text-anchor="${anchor}">${tick.label}</text>`;
  }
  const count = drawn.length;
  const closed = drawn.flatMap((shape) => [
    ...(shape.openStart ? [] : [shape.from]),
    ...(shape.openEnd ? [] : [shape.to - 1]),
  ]);
  const first = closed.length > 0 ? Math.min(...closed) : axis.start;
  const last = closed.length > 0 ? Math.max(...closed) : axis.end - 1;
  const title = escapeHtml(
    label ??
      `${count} event${count === 1 ? '' : 's'} on this page, between ${monthYear(first)} and ${monthYear(last)}; taller shading where more of them fall`,
  );
  return `<svg viewBox="0 0 ${WIDTH} 74" role="img" aria-labelledby="overview-title"><title id="overview-title">${title}</title>${density}${rug}<line class="axis" x1="0" y1="52" x2="${WIDTH}" y2="52"/>${ticks}</svg>`;
}

/** The key to the drawings, each with a small drawing of its own. */
export function legendHtml(): string {
  const item = (marks: string, label: string) =>
    `<li><svg viewBox="0 0 44 16" aria-hidden="true" focusable="false">${marks}</svg>${label}</li>`;
  return `<ul class="legend" aria-label="Key to the time axis">${[
    item('<rect class="span" x="2" y="3" width="30" height="10" rx="2"/>', 'known dates'),
    item('<rect class="span approximate" x="2" y="3" width="30" height="10" rx="2"/>', 'approximate'),
    item(
      '<rect class="span uncertain" x="2" y="3" width="24" height="10" rx="2"/><text class="doubt" x="30" y="14">?</text>',
      'uncertain',
    ),
    item(
      '<rect class="span" x="2" y="3" width="30" height="10" rx="2"/><path class="open" d="M32 1L42 8L32 15Z"/>',
      'open end, ongoing',
    ),
  ].join('')}</ul>`;
}
