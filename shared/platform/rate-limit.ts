/**
 * Spaces calls to at most `perSecond` (a token bucket with room for one second's burst). The
 * returned function resolves when the caller may go; waiting callers are served in order.
 */
export function rateLimiter(perSecond: number, now: () => number = Date.now): () => Promise<void> {
  const interval = 1000 / perSecond;
  const burst = Math.max(1, Math.floor(perSecond));
  let next = Number.NEGATIVE_INFINITY;
  return async () => {
    const at = now();
    // The earliest slot: no earlier than a burst's worth of slots back from now.
    const slot = Math.max(next, at - (burst - 1) * interval);
    next = slot + interval;
    const wait = slot - at;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  };
}
