/**
 * A mail server saying "slow down" (SMTP 421/451, SES throttling) is backpressure: the attempt is
 * logged and retried later, it uses up no step of the retry schedule, and the subscription's
 * health is left alone. Against a real SMTP server on loopback that refuses, then accepts.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptDelivery } from '../../shared/alerts/deliver.ts';
import { fanOutEvent } from '../../shared/alerts/fanout.ts';
import {
  type AlertStack,
  activeEmailSubscriber,
  alertEventInput,
  startAlertStack,
} from '../support/alert-stack.ts';

let stack: AlertStack;
let server: SMTPServer;
/** The reply to RCPT TO: a temporary refusal code, or undefined to accept. */
let refuseWith: number | undefined;
let accepted = 0;

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (refuseWith === undefined) return callback();
      callback(Object.assign(new Error('Too many messages, slow down'), { responseCode: refuseWith }));
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        accepted++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  stack = await startAlertStack({ smtpUrl: `smtp://127.0.0.1:${port}`, retrySchedule: [0, 60, 60] });
});
afterAll(async () => {
  await stack?.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

describe.each([421, 451])('an SMTP server answering %i', (code) => {
  it('is retried later without counting against the schedule or the subscription', async () => {
    const tag = `throttled-${code}`;
    const subscription = await activeEmailSubscriber(stack, tag);
    const { event } = await stack.events.create(alertEventInput({ tags: [tag] }));
    await fanOutEvent(stack.fanout, event.id);
    const [delivery] = (await stack.deliveries.list(subscription.id, 10)).deliveries;
    const ref = { subscriptionId: subscription.id, deliveryId: delivery!.id };
    refuseWith = code;

    const outcomes = [];
    for (let attempt = 0; attempt < 4; attempt++)
      outcomes.push(await attemptDelivery(stack.deliver, ref, { ignoreSchedule: true }));

    // Four throttled attempts, more than the three-step schedule allows failures: all retried.
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['retry', 'retry', 'retry', 'retry']);
    for (const outcome of outcomes) {
      if (outcome.kind !== 'retry') continue;
      expect(outcome.delaySeconds).toBeGreaterThanOrEqual(30);
      expect(outcome.delaySeconds).toBeLessThanOrEqual(60);
    }
    const throttled = (await stack.deliveries.get(ref))!.delivery;
    expect(throttled).toMatchObject({ status: 'pending', scheduleStart: 4 });
    expect(throttled.attempts).toHaveLength(4);
    expect(throttled.attempts[0]!.error).toContain('throttled');
    const health = await stack.subscriptionRepository.get(subscription.id);
    expect(health.status).toBe('active');
    expect(health.failingSince).toBeUndefined();

    refuseWith = undefined;
    const before = accepted;
    expect(await attemptDelivery(stack.deliver, ref, { ignoreSchedule: true })).toEqual({
      kind: 'done',
      status: 'delivered',
    });
    expect(accepted).toBe(before + 1);
  });
});

// A permanent refusal of the address (550 5.1.1) disables the subscription: tests/integration/email-health-smtp.test.ts.
describe('an SMTP server refusing for now without asking to slow down (450)', () => {
  it('counts as a failed attempt of the schedule and marks the subscription failing', async () => {
    const tag = 'refused-450';
    const subscription = await activeEmailSubscriber(stack, tag);
    const { event } = await stack.events.create(alertEventInput({ tags: [tag] }));
    await fanOutEvent(stack.fanout, event.id);
    const [delivery] = (await stack.deliveries.list(subscription.id, 10)).deliveries;
    refuseWith = 450;

    const outcome = await attemptDelivery(stack.deliver, {
      subscriptionId: subscription.id,
      deliveryId: delivery!.id,
    });
    refuseWith = undefined;

    expect(outcome).toEqual({ kind: 'retry', delaySeconds: expect.any(Number) });
    const failed = (await stack.deliveries.get({
      subscriptionId: subscription.id,
      deliveryId: delivery!.id,
    }))!;
    expect(failed.delivery.scheduleStart).toBe(0);
    expect((await stack.subscriptionRepository.get(subscription.id)).failingSince).toBeDefined();
  });
});
