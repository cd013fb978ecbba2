import { describe, expect, it } from 'vitest';
import { parseEventDate } from '../../shared/domain/dates.ts';
import { type AxisDate, eventSpanSvg, overviewSvg, timeAxisFor } from '../../shared/web/time-axis.ts';

/** An event date as the store serves it: the date as written and what it resolves to. */
const dated = (date: string): AxisDate => {
  const { earliest, latest, qualifier } = parseEventDate(date);
  return { date, earliest, latest, ...(qualifier ? { qualifier } : {}) };
};

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;

/** The bars (rect.span) of a drawing, with their classes and geometry. */
function bars(svg: string) {
  return [...svg.matchAll(/<rect class="(span[^"]*)" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map(
    (m) => ({
      classes: m[1]!.split(' '),
      x: Number(m[2]),
      width: Number(m[3]),
    }),
  );
}

describe('timeAxisFor', () => {
  it('spans the events it is given, padded', () => {
    const axis = timeAxisFor([dated('2019-12'), dated('2024-06-28')])!;
    expect(axis.start).toBeLessThan(day('2019-12-01'));
    expect(axis.end).toBeGreaterThan(day('2024-06-29'));
    expect(axis.end - axis.start).toBeLessThan((day('2024-06-29') - day('2019-12-01')) * 1.1);
  });

  it('widens to the filter range', () => {
    const axis = timeAxisFor([dated('2024-06-19')], { from: '2024-01-01', to: '2024-12-31' })!;
    expect(axis.start).toBeLessThanOrEqual(day('2024-01-01'));
    expect(axis.end).toBeGreaterThan(day('2024-12-31'));
  });

  it('is at least two months wide around a single day', () => {
    const axis = timeAxisFor([dated('2024-06-19')])!;
    expect(axis.end - axis.start).toBeGreaterThanOrEqual(61);
    expect(axis.start).toBeLessThan(day('2024-06-19'));
  });

  it('has no axis without events', () => {
    expect(timeAxisFor([])).toBeUndefined();
  });
});

describe('eventSpanSvg', () => {
  const axis = { start: day('2024-01-01'), end: day('2025-01-01') };

  it('draws an interval as a bar as long as its days', () => {
    const [bar] = bars(eventSpanSvg(axis, dated('2024-06-10/2024-06-20')));
    const perDay = 1000 / (axis.end - axis.start);
    expect(bar!.x).toBeCloseTo((day('2024-06-10') - axis.start) * perDay, 0);
    expect(bar!.width).toBeCloseTo(11 * perDay, 0);
    expect(bar!.classes).toEqual(['span']);
  });

  it('draws a month as a longer bar than a day in it', () => {
    const [month] = bars(eventSpanSvg(axis, dated('2024-01')));
    const [single] = bars(eventSpanSvg(axis, dated('2024-01-15')));
    expect(month!.width).toBeGreaterThan(single!.width * 10);
  });

  it('marks an approximate date', () => {
    const svg = eventSpanSvg(axis, dated('2024-06-15~'));
    expect(bars(svg)[0]!.classes).toEqual(['span', 'approximate']);
    expect(svg).not.toContain('>?<');
  });

  it('marks an uncertain date, with a question mark beside it', () => {
    const svg = eventSpanSvg(axis, dated('2024-06?'));
    expect(bars(svg)[0]!.classes).toEqual(['span', 'uncertain']);
    expect(svg).toContain('<text class="doubt"');
  });

  it('marks a date both approximate and uncertain as both', () => {
    expect(bars(eventSpanSvg(axis, dated('2024-06%')))[0]!.classes).toEqual([
      'span',
      'approximate',
      'uncertain',
    ]);
  });

  it('runs an open end to the edge of the axis, with an arrow', () => {
    const open: AxisDate = { date: '2024-06/..', earliest: '2024-06-01', latest: '9999-12-31' };
    const svg = eventSpanSvg(axis, open);
    const [bar] = bars(svg);
    expect(bar!.x + bar!.width).toBeGreaterThan(980);
    expect(svg).toContain('<path class="open"');
  });

  it('is hidden from screen readers: the date is in words beside it', () => {
    expect(eventSpanSvg(axis, dated('2024-06'))).toMatch(/^<svg [^>]*aria-hidden="true"/);
  });
});

describe('overviewSvg', () => {
  it('is an image with a title naming how many events and when', () => {
    const events = [dated('2019-12'), dated('2022-02-24'), dated('2024-06-19')];
    const svg = overviewSvg(timeAxisFor(events)!, events);
    expect(svg).toMatch(/role="img"/);
    expect(svg).toMatch(
      /<title id="overview-title">3 events on this page, between December 2019 and June 2024;/,
    );
  });

  it('shades taller where more events fall', () => {
    const events = [dated('2024-06-19'), dated('2024-06-19'), dated('2024-06-19'), dated('2020-01-01')];
    const svg = overviewSvg(timeAxisFor(events)!, events);
    const heights = [
      ...svg.matchAll(/<rect class="density" x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"/g),
    ].map((m) => Number(m[1]));
    expect(heights).toHaveLength(2);
    expect(Math.max(...heights)).toBeCloseTo(Math.min(...heights) * 3, 0);
  });

  it('labels years on a long axis and months on a short one', () => {
    const long = [dated('2019-12'), dated('2024-06-28')];
    expect(overviewSvg(timeAxisFor(long)!, long)).toContain('>2022</text>');
    const short = [dated('2024-01'), dated('2024-06-28')];
    expect(overviewSvg(timeAxisFor(short)!, short)).toMatch(/>Mar<\/text>/);
  });

  it('escapes the label it is given', () => {
    const events = [dated('2024-06')];
    expect(overviewSvg(timeAxisFor(events)!, events, 'When: <b>June</b>')).toContain(
      'When: &lt;b&gt;June&lt;/b&gt;',
    );
  });
});
