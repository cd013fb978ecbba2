import { createHash } from 'node:crypto';
import { apiClient, startBenchRuntime } from '../lib/local.ts';
import type { Behaviour } from '../lib/receiver.ts';
import { startReceiver } from '../lib/receiver.ts';
import { mapLimit } from '../lib/stats.ts';
import { Checks, envInt, eventBody, eventually, type Scenario } from './harness.ts';

/**
 * 1,000 webhook deliveries to receivers that fail about 30% of attempts — 5xx answers, hangs past
 * the sender's timeout, connection resets — with a short retry schedule (0,1,1,1,1,1 s): every
 * delivery arrives, none is lost, and each keeps its webhook-id across its retries.
 *
 * Which attempts fail is decided from the webhook-id, so that no delivery fails more than three
 * times in a row (the schedule allows five failures) and the run is reproducible.
 */
const SUBSCRIPTIONS = 10;

/** Failures before success for a delivery: 0 (70%), 1 (18%), 2 (8%), 3 (4%) → ~31% of attempts fail. */
export function failuresFor(id: string): number {
  const roll = createHash('sha256').update(id).digest().readUInt16BE(0) / 65536;
  return roll < 0.7 ? 0 : roll < 0.88 ? 1 : roll < 0.96 ? 2 : 3;
}

/** How a failing attempt fails: 5xx (60%), reset (25%), hang past the timeout (15%). */
function failureFor(id: string, attempt: number): Behaviour {
  const roll = createHash('sha256').update(`${id}/${attempt}`).digest().readUInt16BE(0) / 65536;
  if (roll < 0.6) return { status: [500, 502, 503][attempt % 3]! };
  if (roll < 0.85) return { reset: true };
  return { hang: true };
}

export const flakyReceiversScenario: Scenario = {
  name: 'flaky receivers: 1,000 deliveries, 30% of attempts fail',
  timeoutMs: 420_000,
  async run() {
    const deliveries = envInt('RELIABILITY_DELIVERIES', 1000);
    const events = Math.ceil(deliveries / SUBSCRIPTIONS);
    const checks = new Checks();
    const receiver = await startReceiver();
    receiver.setBehaviour(({ id, attempt }) =>
      attempt <= failuresFor(id) ? failureFor(id, attempt) : { status: 200 },
    );
    const local = await startBenchRuntime(
      { retrySchedule: [0, 1, 1, 1, 1, 1], webhookTimeoutMs: 1000 },
      { LOG_LEVEL: 'warn' },
    );
    try {
      const api = apiClient(local.runtime.url, local.runtime.adminKey);
      const secrets: string[] = [];
      for (let i = 0; i < SUBSCRIPTIONS; i++) {
        const created = await api<{ secret: string }>('POST', '/v1/subscriptions', {
          channel: 'webhook',
          url: receiver.url,
        });
        if (!checks.check(created.status === 201, `subscribe answered ${created.status}`))
          return checks.result('no subscription');
        secrets.push(created.body.secret);
      }
      receiver.setSecrets(secrets);
      const started = performance.now();
      const eventIds = await mapLimit(
        Array.from({ length: events }, (_, n) => n),
        5,
        async (n) => {
          const response = await api<{ id: string }>('POST', '/v1/events', eventBody(n));
          checks.check(response.status === 201, `create answered ${response.status}`);
          return response.body.id;
        },
      );
      const expected = events * SUBSCRIPTIONS;
      const arrived = await eventually(() => receiver.delivered.size >= expected, 300_000, 250);
      const seconds = (performance.now() - started) / 1000;
      checks.check(arrived, `only ${receiver.delivered.size} of ${expected} deliveries arrived`);
      checks.check(receiver.invalid === 0, `${receiver.invalid} deliveries with a bad signature`);
      // One webhook-id per (event, subscription), whatever the number of attempts.
      let unstable = 0;
      let lost = 0;
      for (const eventId of eventIds) {
        const ids = receiver.idsByEvent.get(eventId) ?? new Set();
        if (ids.size > SUBSCRIPTIONS) unstable++;
        for (const id of ids) if (!receiver.delivered.has(id)) lost++;
        if (ids.size < SUBSCRIPTIONS) lost += SUBSCRIPTIONS - ids.size;
      }
      checks.check(
        unstable === 0,
        `${unstable} events got more webhook-ids than subscriptions (ids changed across retries)`,
      );
      checks.check(lost === 0, `${lost} deliveries lost`);
      const attempts = [...receiver.attempts.values()].reduce((sum, n) => sum + n, 0);
      const failed = attempts - receiver.delivered.size;
      return checks.result(
        `${receiver.delivered.size}/${expected} delivered in ${seconds.toFixed(0)} s after ${attempts} attempts (${Math.round((failed / attempts) * 100)}% failed)`,
      );
    } finally {
      await local.close();
      await receiver.close();
    }
  },
};
