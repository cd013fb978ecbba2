import { describe, expect, it } from 'vitest';
import {
  formatPosition,
  type LogSlot,
  parsePosition,
  positionOf,
  readablePrefix,
} from '../../shared/domain/change-log.ts';
import { ValidationError } from '../../shared/errors.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const SETTLE_MS = 60_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const EVENT = '01J1Z8Q4Y6V3W2X1A0B9C8D7E6';

const change = (seq: number, loggedAt = ago(1000)): LogSlot => ({
  seq,
  loggedAt,
  entry: { type: 'updated', eventId: EVENT, version: seq, at: loggedAt },
});
const sealed = (seq: number): LogSlot => ({ seq, loggedAt: ago(1000) });
const seqs = (slots: LogSlot[]) => slots.map((slot) => slot.seq);

describe('readablePrefix', () => {
  it('hands out the slots after the position, in order, up to the limit of changes', () => {
    const prefix = readablePrefix(3, [change(3), change(4), change(5), change(6)], 2, NOW, SETTLE_MS);
    expect(seqs(prefix.consumed)).toEqual([4, 5]);
    expect(prefix).toMatchObject({ holes: [], blocked: false });
  });

  it('passes sealed numbers without counting them as changes', () => {
    const prefix = readablePrefix(0, [change(1), sealed(2), sealed(3), change(4)], 2, NOW, SETTLE_MS);
    expect(seqs(prefix.consumed)).toEqual([1, 2, 3, 4]);
  });

  it('stops before a missing number whose successor is younger than the settle window', () => {
    const prefix = readablePrefix(0, [change(1), change(3, ago(SETTLE_MS - 1))], 10, NOW, SETTLE_MS);
    expect(seqs(prefix.consumed)).toEqual([1]);
    expect(prefix).toMatchObject({ holes: [], blocked: true });
  });

  it('names missing numbers to seal when a later slot was written longer ago than the window', () => {
    const prefix = readablePrefix(0, [change(1), change(4, ago(SETTLE_MS))], 10, NOW, SETTLE_MS);
    expect(seqs(prefix.consumed)).toEqual([1]);
    expect(prefix).toMatchObject({ holes: [2, 3], blocked: false });
  });

  it('treats a missing first number like any other', () => {
    expect(readablePrefix(0, [change(2)], 10, NOW, SETTLE_MS).blocked).toBe(true);
    expect(readablePrefix(0, [change(2, ago(2 * SETTLE_MS))], 10, NOW, SETTLE_MS).holes).toEqual([1]);
  });

  it('hands out nothing and waits for nothing at the end of the log', () => {
    expect(readablePrefix(9, [change(9)], 10, NOW, SETTLE_MS)).toEqual({
      consumed: [],
      holes: [],
      blocked: false,
    });
  });
});

describe('log positions', () => {
  it('round-trips a change, a void and the start', () => {
    for (const slot of [change(41), sealed(42)]) {
      expect(parsePosition(formatPosition(positionOf(slot)))).toEqual(positionOf(slot));
    }
    expect(parsePosition('0/')).toEqual({ seq: 0, tag: '' });
  });

  it.each(['', '1', '01/-', '-1/-', '0/-', '5/', `5/${EVENT}`, `5/${EVENT}.0`, '1.5/-', `5/${EVENT}.1x`])(
    'refuses %j',
    (text) => {
      expect(() => parsePosition(text)).toThrow(ValidationError);
    },
  );
});
