/** When webhook deliveries are retried. Pure: randomness and the current time are passed in. */
import type { FieldError } from '../errors.ts';
import { ValidationError } from '../errors.ts';

/**
 * Seconds to wait before each attempt: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
 * Eight attempts over about 27.5 hours, so a receiver that is down for most of a day still gets the event.
 */
export const defaultRetrySchedule: readonly number[] = Object.freeze([
  0, 5, 300, 1800, 7200, 18000, 36000, 36000,
]);

/** A receiver's Retry-After may slow us down, but not park a delivery indefinitely. */
export const MAX_RETRY_AFTER_SECONDS = 12 * 60 * 60;

const JITTER = 0.1;

export interface DeliveryBackoffInput {
  /** Attempts already made (1 after the first attempt failed). */
  attempt: number;
  schedule: readonly number[];
  /** Seconds the receiver asked us to wait, from its Retry-After header. */
  retryAfter?: number | undefined;
  /** Returns a number in [0, 1); defaults to Math.random. */
  random?: () => number;
}

export type DeliveryBackoff = { delaySeconds: number } | { exhausted: true };

/** Parses a comma-separated list of whole seconds such as DATELINE_RETRY_SCHEDULE="0,5,300". */
export function parseRetrySchedule(text: string, name = 'DATELINE_RETRY_SCHEDULE'): readonly number[] {
  const parts = text.split(',').map((part) => part.trim());
  const errors: FieldError[] = [];
  const schedule = parts.map((part, i) => {
    const seconds = /^\d+$/.test(part) ? Number(part) : Number.NaN;
    if (!Number.isSafeInteger(seconds)) {
      errors.push({
        path: `${name}[${i}]`,
        message: part === '' ? 'empty step' : `"${part}" is not a whole number of seconds`,
      });
    }
    return seconds;
  });
  if (errors.length > 0) {
    const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new ValidationError(`Invalid retry schedule (${detail})`, errors);
  }
  return Object.freeze(schedule);
}

/** The delay before the next attempt, or `exhausted` when the schedule has no further step. */
export function deliveryBackoff(input: DeliveryBackoffInput): DeliveryBackoff {
  const { attempt, schedule } = input;
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(`attempt must be a non-negative integer, got ${attempt}`);
  }
  const base = schedule[attempt];
  if (base === undefined) return { exhausted: true };

  const random = input.random ?? Math.random;
  // Spreads retries so receivers recovering from an outage are not hit by every sender at once.
  const jittered = base === 0 ? 0 : Math.round(base * (1 + (random() * 2 - 1) * JITTER));
  const floor = validRetryAfter(input.retryAfter);
  return { delaySeconds: Math.max(jittered, floor) };
}

/** A Retry-After in whole seconds, capped at 12 hours; 0 when absent, not positive or not finite. */
export function validRetryAfter(retryAfter: number | undefined): number {
  if (retryAfter === undefined || !Number.isFinite(retryAfter) || retryAfter <= 0) return 0;
  return Math.min(Math.ceil(retryAfter), MAX_RETRY_AFTER_SECONDS);
}

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// The three HTTP-date forms of RFC 9110 §5.6.7. Date.parse is avoided: it reads asctime as local time.
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC850_DATE = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * Seconds to wait according to a Retry-After header (delta-seconds or HTTP-date), or undefined when
 * absent or malformed. A date in the past means 0.
 */
export function parseRetryAfter(headerValue: string | undefined | null, now: Date): number | undefined {
  const value = headerValue?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) {
    const seconds = Number(value);
    return Number.isSafeInteger(seconds) ? seconds : undefined;
  }
  const at = parseHttpDate(value, now);
  if (at === undefined) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

function parseHttpDate(value: string, now: Date): number | undefined {
  let m = IMF_FIXDATE.exec(value);
  if (m) return utc(Number(m[3]), m[2]!, Number(m[1]), m[4]!, m[5]!, m[6]!);
  m = RFC850_DATE.exec(value);
  if (m) return utc(twoDigitYear(Number(m[3]), now), m[2]!, Number(m[1]), m[4]!, m[5]!, m[6]!);
  m = ASCTIME_DATE.exec(value);
  if (m) return utc(Number(m[6]), m[1]!, Number(m[2]!.trim()), m[3]!, m[4]!, m[5]!);
  return undefined;
}

/** RFC 9110: a two-digit year more than 50 years in the future means the most recent past such year. */
function twoDigitYear(yy: number, now: Date): number {
  const century = Math.floor(now.getUTCFullYear() / 100) * 100;
  const year = century + yy;
  return year > now.getUTCFullYear() + 50 ? year - 100 : year;
}

function utc(year: number, month: string, day: number, h: string, m: string, s: string): number | undefined {
  const monthIndex = MONTHS.indexOf(month);
  const ms = Date.UTC(year, monthIndex, day, Number(h), Number(m), Number(s));
  const date = new Date(ms);
  // Date.UTC rolls "31 Feb" or "25:00" over into valid dates; a round trip rejects them.
  const sameFields =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === monthIndex &&
    date.getUTCDate() === day &&
    date.getUTCHours() === Number(h) &&
    date.getUTCMinutes() === Number(m) &&
    date.getUTCSeconds() === Number(s);
  return sameFields ? ms : undefined;
}
