import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIRMATIONS_PER_ADDRESS_PER_DAY } from '../../shared/alerts/subscription-service.ts';
import { type AlertStack, json, startAlertStack } from '../support/alert-stack.ts';

let stack: AlertStack;
beforeAll(async () => {
  stack = await startAlertStack();
});
afterAll(async () => {
  await stack?.close();
});

const subscribe = (address: string) =>
  stack.app.request('/v1/subscriptions', json('POST', { channel: 'email', address }));

async function confirmationsTo(address: string): Promise<number> {
  await stack.settle();
  return stack.memoryMail.to(address).length;
}

describe('confirmation mails to one address', () => {
  it(`stops at ${CONFIRMATIONS_PER_ADDRESS_PER_DAY} a day with a 429 problem and Retry-After`, async () => {
    for (let i = 0; i < CONFIRMATIONS_PER_ADDRESS_PER_DAY; i++) {
      expect((await subscribe('flooded@example.net')).status).toBe(202);
    }

    const refused = await subscribe('flooded@example.net');

    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await confirmationsTo('flooded@example.net')).toBe(CONFIRMATIONS_PER_ADDRESS_PER_DAY);
  });

  it('counts an address however it is capitalised', async () => {
    for (let i = 0; i < CONFIRMATIONS_PER_ADDRESS_PER_DAY; i++) {
      expect((await subscribe('Mixed@Example.net')).status).toBe(202);
    }
    expect((await subscribe('mixed@example.net')).status).toBe(429);
  });

  it('leaves other addresses alone', async () => {
    for (let i = 0; i < CONFIRMATIONS_PER_ADDRESS_PER_DAY; i++) await subscribe('busy@example.net');
    expect((await subscribe('quiet@example.net')).status).toBe(202);
  });
});
