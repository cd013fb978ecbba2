import { describe, expect, it } from 'vitest';
import {
  defaultRetrySchedule,
  deliveryBackoff,
  MAX_RETRY_AFTER_SECONDS,
  parseRetryAfter,
  parseRetrySchedule,
} from '../../shared/delivery/retry-schedule.ts';
import { ValidationError } from '../../shared/errors.ts';

const noJitter = () => 0.5;
const lowest = () => 0;
const highest = () => 0.999999;

describe('defaultRetrySchedule', () => {
  it('waits 0 s, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h before its 8 attempts', () => {
    expect(defaultRetrySchedule).toEqual([0, 5, 300, 1800, 7200, 18000, 36000, 36000]);
  });

  it('cannot be modified by a caller', () => {
    expect(Object.isFrozen(defaultRetrySchedule)).toBe(true);
  });
});

describe('parseRetrySchedule', () => {
  it('parses comma-separated whole seconds', () => {
    expect(parseRetrySchedule('0,1,2')).toEqual([0, 1, 2]);
  });

  it('tolerates spaces around the steps', () => {
    expect(parseRetrySchedule(' 0, 5 ,300 ')).toEqual([0, 5, 300]);
  });

  it('throws ValidationError naming the step that is not a number', () => {
    try {
      parseRetrySchedule('0,5,soon,300');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).errors).toEqual([
        { path: 'DATELINE_RETRY_SCHEDULE[2]', message: '"soon" is not a whole number of seconds' },
      ]);
      expect((err as Error).message).toContain('"soon"');
    }
  });

  it.each([
    ['-5', 'a negative step'],
    ['1.5', 'a fractional step'],
    ['1e3', 'an exponent'],
  ])('rejects %s (%s)', (step) => {
    expect(() => parseRetrySchedule(`0,${step}`)).toThrow(ValidationError);
  });

  it('rejects an empty step', () => {
    expect(() => parseRetrySchedule('0,,5')).toThrow(/DATELINE_RETRY_SCHEDULE\[1\]: empty step/);
  });

  it('rejects an empty schedule', () => {
    expect(() => parseRetrySchedule('')).toThrow(ValidationError);
  });

  it('uses the given name in error paths', () => {
    expect(() => parseRetrySchedule('x', 'retrySchedule')).toThrow(/retrySchedule\[0\]/);
  });
});

describe('deliveryBackoff', () => {
  it('gives the scheduled delay before the next attempt', () => {
    expect(deliveryBackoff({ attempt: 2, schedule: defaultRetrySchedule, random: noJitter })).toEqual({
      delaySeconds: 300,
    });
  });

  it('gives the first step for a delivery not yet attempted', () => {
    expect(deliveryBackoff({ attempt: 0, schedule: defaultRetrySchedule, random: highest })).toEqual({
      delaySeconds: 0,
    });
  });

  it('subtracts at most 10% jitter', () => {
    expect(deliveryBackoff({ attempt: 4, schedule: defaultRetrySchedule, random: lowest })).toEqual({
      delaySeconds: 6480,
    });
  });

  it('adds at most 10% jitter', () => {
    expect(deliveryBackoff({ attempt: 4, schedule: defaultRetrySchedule, random: highest })).toEqual({
      delaySeconds: 7920,
    });
  });

  it('does not jitter a zero step', () => {
    expect(deliveryBackoff({ attempt: 1, schedule: [0, 0, 10], random: highest })).toEqual({
      delaySeconds: 0,
    });
  });

  it('is exhausted after the last scheduled attempt', () => {
    expect(deliveryBackoff({ attempt: 8, schedule: defaultRetrySchedule, random: noJitter })).toEqual({
      exhausted: true,
    });
  });

  it('still retries before the last scheduled attempt', () => {
    expect(deliveryBackoff({ attempt: 7, schedule: defaultRetrySchedule, random: noJitter })).toEqual({
      delaySeconds: 36000,
    });
  });

  it('waits at least as long as Retry-After asks', () => {
    expect(
      deliveryBackoff({ attempt: 1, schedule: defaultRetrySchedule, retryAfter: 120, random: noJitter }),
    ).toEqual({ delaySeconds: 120 });
  });

  it('keeps the scheduled delay when Retry-After is shorter', () => {
    expect(
      deliveryBackoff({ attempt: 2, schedule: defaultRetrySchedule, retryAfter: 60, random: noJitter }),
    ).toEqual({ delaySeconds: 300 });
  });

  it('caps Retry-After at 12 hours', () => {
    const result = deliveryBackoff({ attempt: 1, schedule: defaultRetrySchedule, retryAfter: 7 * 86400 });
    expect(result).toEqual({ delaySeconds: MAX_RETRY_AFTER_SECONDS });
    expect(MAX_RETRY_AFTER_SECONDS).toBe(43200);
  });

  it('ignores a negative or non-finite Retry-After', () => {
    for (const retryAfter of [-10, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(deliveryBackoff({ attempt: 1, schedule: [0, 5], retryAfter, random: noJitter })).toEqual({
        delaySeconds: 5,
      });
    }
  });

  it('does not honour Retry-After once the schedule is exhausted', () => {
    expect(deliveryBackoff({ attempt: 2, schedule: [0, 5], retryAfter: 60 })).toEqual({ exhausted: true });
  });

  it('rejects a negative or fractional attempt count', () => {
    expect(() => deliveryBackoff({ attempt: -1, schedule: defaultRetrySchedule })).toThrow(RangeError);
    expect(() => deliveryBackoff({ attempt: 1.5, schedule: defaultRetrySchedule })).toThrow(RangeError);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-03-01T12:00:00.000Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
  });

  it('reads an IMF-fixdate as seconds from now', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:05:00 GMT', now)).toBe(300);
  });

  it('rounds a date a fraction of a second away up to a whole second', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:01 GMT', new Date('2026-03-01T12:00:00.400Z'))).toBe(1);
  });

  it('reads the obsolete RFC 850 form', () => {
    expect(parseRetryAfter('Sunday, 01-Mar-26 12:01:00 GMT', now)).toBe(60);
  });

  it('reads the obsolete asctime form as UTC', () => {
    expect(parseRetryAfter('Sun Mar  1 12:00:30 2026', now)).toBe(30);
  });

  it('treats a date in the past as no wait', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
  });

  it.each([
    [undefined],
    [null],
    [''],
    ['soon'],
    ['-5'],
    ['1.5'],
    ['Sun, 31 Feb 2026 12:00:00 GMT'],
    ['2026-03-01T12:05:00Z'],
    ['Sun, 01 Mar 2026 12:05:00 PST'],
  ])('returns undefined for %s', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
