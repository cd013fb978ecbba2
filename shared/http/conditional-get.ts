import { notModified } from './entity-tags.ts';

/**
 * Conditional GET for representations with both validators (RFC 9110 §13): an entity tag and a
 * Last-Modified date. If-None-Match is evaluated first; If-Modified-Since only without it, and
 * only when it is a valid HTTP-date (§13.1.3). The exports' routes use it.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_NAMES = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY_NAMES = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
/** IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. */
const IMF_FIXDATE = new RegExp(`^${DAY_NAMES}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
/** Obsolete RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`. */
const RFC_850 = new RegExp(`^${LONG_DAY_NAMES}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
/** Obsolete asctime: `Sun Nov  6 08:49:37 1994`. */
const ASCTIME = new RegExp(`^${DAY_NAMES} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

function utc(year: number, month: string, day: number, h: string, m: string, s: string): Date | undefined {
  const monthIndex = MONTHS.indexOf(month);
  const date = new Date(Date.UTC(year, monthIndex, day, Number(h), Number(m), Number(s)));
  // Date.UTC rolls 31 Feb over into March: such a date is not valid.
  if (date.getUTCDate() !== day || date.getUTCMonth() !== monthIndex || Number(h) > 23) return undefined;
  return date;
}

/** An HTTP-date in any of its three forms (RFC 9110 §5.6.7); undefined when it is none of them. */
export function parseHttpDate(value: string): Date | undefined {
  let match = IMF_FIXDATE.exec(value);
  if (match) return utc(Number(match[3]), match[2]!, Number(match[1]), match[4]!, match[5]!, match[6]!);
  match = RFC_850.exec(value);
  if (match) {
    // A two-digit year more than 50 years ahead is in the past century (§5.6.7).
    const twoDigits = Number(match[3]);
    const thisYear = new Date().getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + twoDigits;
    if (year > thisYear + 50) year -= 100;
    return utc(year, match[2]!, Number(match[1]), match[4]!, match[5]!, match[6]!);
  }
  match = ASCTIME.exec(value);
  if (match)
    return utc(Number(match[6]), match[1]!, Number(match[2]!.trim()), match[3]!, match[4]!, match[5]!);
  return undefined;
}

/** The IMF-fixdate of an instant, to the second (what Last-Modified carries). */
export const httpDate = (date: Date) => date.toUTCString();

export interface Validators {
  etag: string;
  /** When the representation last changed; none for one that has no date (an empty feed). */
  lastModified?: Date;
}

/**
 * Whether a GET or HEAD with these headers is answered 304. A malformed If-None-Match is a 400
 * (ValidationError, as for single events); a malformed If-Modified-Since is ignored, as §13.1.3 says.
 */
export function isNotModified(
  headers: { 'if-none-match'?: string | undefined; 'if-modified-since'?: string | undefined },
  validators: Validators,
  now: Date = new Date(),
): boolean {
  if (headers['if-none-match'] !== undefined) return notModified(headers['if-none-match'], validators.etag);
  const since = headers['if-modified-since'];
  if (since === undefined || validators.lastModified === undefined) return false;
  const date = parseHttpDate(since.trim());
  // A date later than the server's clock is not one the server gave (RFC 7232 §3.3 calls it invalid).
  if (!date || date.getTime() > now.getTime()) return false;
  // Last-Modified is sent to the second; a change within the same second counts as not later.
  return Math.floor(validators.lastModified.getTime() / 1000) * 1000 <= date.getTime();
}

/** The validator headers of a response (200 and 304 alike). */
export function validatorHeaders(validators: Validators): Record<string, string> {
  return {
    etag: validators.etag,
    ...(validators.lastModified ? { 'last-modified': httpDate(validators.lastModified) } : {}),
  };
}
