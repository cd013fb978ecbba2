import { describe, expect, it } from 'vitest';
import { rateLimiter } from '../../shared/platform/rate-limit.ts';

describe('rateLimiter', () => {
  it('lets a second’s burst through at once, then spaces callers to the rate', async () => {
    let clock = 0;
    const waits: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    // The limiter sleeps with setTimeout: record the waits and advance the clock instead.
    globalThis.setTimeout = ((fn: () => void, ms: number) => {
      waits.push(ms);
      clock += ms;
      fn();
      return 0;
    }) as unknown as typeof setTimeout;
    try {
      const slot = rateLimiter(4, () => clock);
      for (let i = 0; i < 8; i++) await slot();
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
    // Four at once (the burst), then one every 250 ms.
    expect(waits).toEqual([250, 250, 250, 250]);
    expect(clock).toBe(1000);
  });

  it('does not save up more than a burst while idle', async () => {
    let clock = 0;
    const slot = rateLimiter(2, () => clock);
    await slot();
    clock = 60_000;
    const started = Date.now();
    await slot();
    await slot();
    expect(Date.now() - started).toBeLessThan(100);
  });
});
