import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.ts';
import { httpDate, isNotModified, parseHttpDate } from '../../shared/http/conditional-get.ts';

describe('parseHttpDate', () => {
  it('reads the three forms RFC 9110 §5.6.7 names as the same instant', () => {
    const expected = Date.UTC(1994, 10, 6, 8, 49, 37);
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')?.getTime()).toBe(expected);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')?.getTime()).toBe(expected);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')?.getTime()).toBe(expected);
  });

  it('refuses what is not an HTTP-date', () => {
    for (const value of [
      '1994-11-06T08:49:37Z',
      'Sun, 06 Nov 1994 08:49:37 +0000',
      'Sun, 31 Feb 1994 08:49:37 GMT',
      'Sun, 06 Nov 1994 25:49:37 GMT',
      'Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT',
      'yesterday',
    ]) {
      expect(parseHttpDate(value), value).toBeUndefined();
    }
  });

  it('reads back what httpDate writes', () => {
    const date = new Date('2024-07-02T12:34:56.000Z');
    expect(parseHttpDate(httpDate(date))?.getTime()).toBe(date.getTime());
  });
});

describe('isNotModified', () => {
  const validators = { etag: 'W/"abc-1"', lastModified: new Date('2024-07-02T12:34:56.789Z') };
  const now = new Date('2024-08-01T00:00:00Z');

  it('is true when If-None-Match names the tag, weakly or strongly, or is *', () => {
    expect(isNotModified({ 'if-none-match': 'W/"abc-1"' }, validators, now)).toBe(true);
    expect(isNotModified({ 'if-none-match': '"other", "abc-1"' }, validators, now)).toBe(true);
    expect(isNotModified({ 'if-none-match': '*' }, validators, now)).toBe(true);
    expect(isNotModified({ 'if-none-match': '"other"' }, validators, now)).toBe(false);
  });

  it('ignores If-Modified-Since when If-None-Match is there (RFC 9110 §13.1.3)', () => {
    const headers = { 'if-none-match': '"other"', 'if-modified-since': 'Fri, 02 Aug 2024 00:00:00 GMT' };
    expect(isNotModified(headers, validators, now)).toBe(false);
  });

  it('compares If-Modified-Since to the second Last-Modified was sent with', () => {
    expect(isNotModified({ 'if-modified-since': 'Tue, 02 Jul 2024 12:34:56 GMT' }, validators, now)).toBe(
      true,
    );
    expect(isNotModified({ 'if-modified-since': 'Tue, 02 Jul 2024 12:34:55 GMT' }, validators, now)).toBe(
      false,
    );
  });

  it('ignores an If-Modified-Since that is not a date, or is later than the clock', () => {
    expect(isNotModified({ 'if-modified-since': 'yesterday' }, validators, now)).toBe(false);
    expect(isNotModified({ 'if-modified-since': 'Sat, 01 Jan 2050 00:00:00 GMT' }, validators, now)).toBe(
      false,
    );
  });

  it('has nothing to compare a date with when the representation has no Last-Modified', () => {
    const headers = { 'if-modified-since': 'Tue, 02 Jul 2024 12:34:56 GMT' };
    expect(isNotModified(headers, { etag: 'W/"e"' }, now)).toBe(false);
  });

  it('refuses a malformed If-None-Match as the single-event routes do', () => {
    expect(() => isNotModified({ 'if-none-match': 'abc' }, validators, now)).toThrow(ValidationError);
  });
});
