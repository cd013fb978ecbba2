import { createServer } from 'node:net';
import { apiClient, startBenchRuntime } from '../lib/local.ts';
import { startReceiver } from '../lib/receiver.ts';
import { Checks, eventBody, eventually, type Scenario } from './harness.ts';

interface DeliveryView {
  id: string;
  status: string;
  attempts: { status?: number; error?: string }[];
}

/** A loopback port nothing listens on (for a receiver that is down). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A receiver down for the whole retry schedule: the delivery is dead-lettered and shows in the
 * delivery log (read with the subscription's token); once the receiver is back,
 * POST …/deliveries/{id}/retry delivers it.
 */
export const deadLetterScenario: Scenario = {
  name: 'receiver down past the schedule: dead-lettered, then retried',
  timeoutMs: 120_000,
  async run() {
    const checks = new Checks();
    const port = await closedPort();
    const local = await startBenchRuntime({ retrySchedule: [0, 1, 1] }, { LOG_LEVEL: 'warn' });
    let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
    try {
      const admin = apiClient(local.runtime.url, local.runtime.adminKey);
      const created = await admin<{ id: string; token: string }>('POST', '/v1/subscriptions', {
        channel: 'webhook',
        url: `http://127.0.0.1:${port}/hooks/dateline`,
      });
      if (!checks.check(created.status === 201, `subscribe answered ${created.status}`))
        return checks.result('');
      const { id: subscriptionId, token } = created.body;
      const owner = apiClient(local.runtime.url, token);
      const event = await admin<{ id: string }>('POST', '/v1/events', eventBody(1));
      checks.check(event.status === 201, `create answered ${event.status}`);

      const log = async () =>
        (
          await owner<{ items?: DeliveryView[]; deliveries?: DeliveryView[] }>(
            'GET',
            `/v1/subscriptions/${subscriptionId}/deliveries`,
          )
        ).body;
      const entries = async () => {
        const body = await log();
        return body.items ?? body.deliveries ?? [];
      };
      const dead = await eventually(
        async () => (await entries()).some((d) => d.status === 'dead'),
        30_000,
        250,
      );
      const [delivery] = await entries();
      checks.check(dead, `not dead-lettered: ${JSON.stringify(delivery)}`);
      checks.check(
        (delivery?.attempts.length ?? 0) === 3,
        `${delivery?.attempts.length} attempts logged, expected 3`,
      );
      checks.check(
        (delivery?.attempts ?? []).every(
          (attempt) => attempt.error !== undefined || attempt.status !== undefined,
        ),
        'an attempt in the log carries neither status nor error',
      );

      // The receiver comes back on the same port; a retry delivers.
      receiver = await startReceiver({ port });
      const retried = await owner<DeliveryView>(
        'POST',
        `/v1/subscriptions/${subscriptionId}/deliveries/${delivery!.id}/retry`,
      );
      checks.check(retried.status >= 200 && retried.status < 300, `retry answered ${retried.status}`);
      const arrived = await eventually(() => receiver!.delivered.has(delivery!.id), 30_000, 200);
      checks.check(arrived, 'the retried delivery did not arrive');
      const delivered = await eventually(
        async () => (await entries())[0]?.status === 'delivered',
        10_000,
        200,
      );
      checks.check(delivered, `the log does not show it delivered: ${JSON.stringify((await entries())[0])}`);
      const final = (await entries())[0];
      return checks.result(
        `dead after ${delivery?.attempts.length} attempts (${delivery?.attempts.map((a) => a.error ?? a.status).join(', ')}); after retry: ${final?.status}, same webhook-id ${receiver.delivered.has(delivery!.id)}`,
      );
    } finally {
      await local.close();
      await receiver?.close();
    }
  },
};
