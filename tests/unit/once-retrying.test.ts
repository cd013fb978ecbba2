import { describe, expect, it } from 'vitest';
import { onceRetrying } from '../../shared/platform/once-retrying.ts';

describe('onceRetrying', () => {
  it('loads once, shares a load under way, and keeps what it gave', async () => {
    let loads = 0;
    const load = onceRetrying(async () => ++loads);
    expect(await Promise.all([load(), load()])).toEqual([1, 1]);
    expect(await load()).toBe(1);
    expect(loads).toBe(1);
  });

  it('forgets a failure, so the next call loads again, and a load that throws at once is a rejection', async () => {
    let loads = 0;
    const load = onceRetrying(() => {
      loads += 1;
      if (loads === 1) throw new Error('chunk could not be read');
      return Promise.resolve('loaded');
    });
    await expect(load()).rejects.toThrow('chunk could not be read');
    expect(await load()).toBe('loaded');
    expect(await load()).toBe('loaded');
    expect(loads).toBe(2);
  });
});
