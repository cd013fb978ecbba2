import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { readableEvent } from '../shared/delivery/email/words.ts';
import { sendWebhook } from '../shared/delivery/webhook-sender.ts';
import { signWebhook } from '../shared/delivery/webhook-signature.ts';
import { alertPayload } from '../shared/domain/delivery.ts';
import { materialiseEvent } from '../shared/events/event-service.ts';
import { startDynalite } from '../shared/local/dynalite-server.ts';
import { ensureTable } from '../shared/store/create-table.ts';
import { createTable } from '../shared/store/dynamo.ts';
import { benchId, randomEventInput, rng } from './lib/fixtures.ts';
import { apiClient, startBenchRuntime } from './lib/local.ts';
import { countOperations } from './lib/op-counter.ts';
import { startReceiver } from './lib/receiver.ts';
import { envNumber, log, mapLimit, median, quick, round } from './lib/stats.ts';

/**
 * webhookThroughput: webhooks delivered per second by the whole local pipeline (HTTP create →
 * event item with its pending change → change feed → fan-out → delivery records → worker →
 * signed POST → attempt recorded) ÷ the floor of that work: per delivery, one record written to
 * the same kind of dynalite (persisted, in this process) and the same signed body POSTed to the
 * same receiver, at the worker's concurrency (8). Raw and pipeline rounds alternate.
 */

export interface WebhookThroughputResult {
  ratio: number;
  pipelinePerSec: number;
  rawPerSec: number;
  /** DynamoDB requests per delivery (a batch is one). */
  writesPerDelivery: number;
  readsPerDelivery: number;
  /** Items written and read per delivery (a batch counts each item). */
  itemsWrittenPerDelivery: number;
  itemsReadPerDelivery: number;
  detail: { deliveries: number; rounds: number; subscriptions: number; byCommand: Record<string, number> };
}

const WORKER_CONCURRENCY = 8;

export async function measureWebhookThroughput(): Promise<WebhookThroughputResult> {
  const subscriptionCount = envNumber('BENCH_WEBHOOK_SUBSCRIPTIONS', 20);
  const eventsPerRound = envNumber('BENCH_WEBHOOK_EVENTS', quick() ? 10 : 25);
  const rounds = envNumber('BENCH_WEBHOOK_ROUNDS', quick() ? 2 : 6);
  const perRound = subscriptionCount * eventsPerRound;
  const timeoutMs = envNumber('BENCH_WEBHOOK_TIMEOUT_S', 180) * 1000;

  const receiver = await startReceiver();
  const local = await startBenchRuntime();
  const rawDir = await mkdtemp(join(tmpdir(), 'dateline-bench-raw-'));
  const rawDynamo = await startDynalite({ path: join(rawDir, 'dynamodb') });
  const rawTable = createTable({ tableName: 'dateline', endpoint: rawDynamo.endpoint, region: 'local' });
  try {
    await ensureTable(rawTable.client as unknown as DynamoDBClient, 'dateline');
    const api = apiClient(local.runtime.url, local.runtime.adminKey);
    const secrets: string[] = [];
    for (let i = 0; i < subscriptionCount; i++) {
      const created = await api<{ secret: string }>('POST', '/v1/subscriptions', {
        channel: 'webhook',
        url: receiver.url,
      });
      if (created.status !== 201)
        throw new Error(`subscribe answered ${created.status}: ${JSON.stringify(created.body)}`);
      secrets.push(created.body.secret);
    }
    receiver.setSecrets(secrets);
    const counter = countOperations(local.runtime.table);
    const random = rng(5);
    const pipelineRates: number[] = [];
    const rawRates: number[] = [];
    let delivered = 0;
    let eventIndex = 0;

    /** Runs `send`, waits until the receiver has this round's deliveries, and records the rate. */
    const timedRound = async (name: string, rates: number[], send: () => Promise<unknown>) => {
      const target = delivered + perRound;
      const started = performance.now();
      const cpu = process.cpuUsage();
      await send();
      await receiver.waitFor(target, timeoutMs);
      const seconds = (performance.now() - started) / 1000;
      delivered = target;
      rates.push(perRound / seconds);
      const used = process.cpuUsage(cpu);
      log(
        `webhooks: ${name} ${perRound} deliveries in ${seconds.toFixed(2)} s (CPU ${Math.round((used.user + used.system) / 10 / (seconds * 1000))}% of a core)`,
      );
    };

    const pipelineRound = async () => {
      const inputs = Array.from({ length: eventsPerRound }, () => randomEventInput(random));
      await timedRound('pipeline', pipelineRates, () =>
        mapLimit(inputs, 4, async (input) => {
          const response = await api('POST', '/v1/events', input);
          if (response.status !== 201)
            throw new Error(`create answered ${response.status}: ${JSON.stringify(response.body)}`);
        }),
      );
    };

    const rawRound = async () => {
      // The same body a pipeline delivery carries (an alert for a fresh event: the stored event
      // and its words for people), signed the same way.
      const bodies = Array.from({ length: perRound }, (_, i) => {
        const at = new Date().toISOString();
        const event = materialiseEvent(randomEventInput(random), {
          id: benchId(21, eventIndex * 1000 + i),
          createdAt: at,
          updatedAt: at,
          version: 1,
        });
        return JSON.stringify(alertPayload('event.created', at, event, undefined, readableEvent(event)));
      });
      eventIndex++;
      await timedRound('raw', rawRates, () =>
        mapLimit(bodies, WORKER_CONCURRENCY, async (body, i) => {
          const id = benchId(31, eventIndex * 100_000 + i);
          const now = new Date();
          await rawTable.client.send(
            new PutCommand({
              TableName: 'dateline',
              Item: {
                pk: `SUB#raw`,
                sk: `DLV#${id}`,
                type: 'delivery',
                body,
                status: 'delivered',
                at: now.toISOString(),
              },
            }),
          );
          const headers = signWebhook({ id, timestamp: now, body, secrets: [secrets[i % secrets.length]!] });
          const result = await sendWebhook({ url: receiver.url, headers, body, addresses: ['127.0.0.1'] });
          if (!result.ok) throw new Error(`raw POST failed: ${result.status ?? result.error}`);
        }),
      );
    };

    // Warm-up round of each (JIT, connection setup), not counted.
    await pipelineRound();
    await rawRound();
    pipelineRates.length = 0;
    rawRates.length = 0;
    counter.start();
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        await rawRound();
        await pipelineRound();
      } else {
        await pipelineRound();
        await rawRound();
      }
    }
    counter.stop();
    if (receiver.invalid > 0)
      throw new Error(`${receiver.invalid} deliveries had signatures that did not verify`);
    const pipelineDeliveries = perRound * rounds;
    const ops = counter.summary();
    const pipelinePerSec = median(pipelineRates);
    const rawPerSec = median(rawRates);
    return {
      ratio: round(pipelinePerSec / rawPerSec),
      pipelinePerSec: round(pipelinePerSec, 1),
      rawPerSec: round(rawPerSec, 1),
      writesPerDelivery: round(ops.writes / pipelineDeliveries),
      readsPerDelivery: round(ops.reads / pipelineDeliveries),
      itemsWrittenPerDelivery: round(ops.itemsWritten / pipelineDeliveries),
      itemsReadPerDelivery: round(ops.itemsRead / pipelineDeliveries),
      detail: {
        deliveries: pipelineDeliveries,
        rounds,
        subscriptions: subscriptionCount,
        byCommand: ops.byCommand,
      },
    };
  } finally {
    rawTable.client.destroy();
    await rawDynamo.close();
    await rm(rawDir, { recursive: true, force: true });
    await local.close();
    await receiver.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await measureWebhookThroughput(), null, 2));
}
