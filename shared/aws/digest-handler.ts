import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type DigestDeps, type DigestUnit, runDigests } from '../alerts/digest-run.ts';
import type { AwsAlerts } from './alerts-runtime.ts';
import { required } from './config.ts';

/** Time kept free at the end of an invocation: the page in flight when the deadline passes finishes in it. */
export const DIGEST_SAFETY_MS = 20_000;
/** Periods one invocation takes on at most, over its shards (the rest goes on in continuations). */
export const DIGEST_MAX_PERIODS = 20_000;

/** A digest run that goes on in another invocation: one shard from its cursor, for the same hour. */
export interface DigestContinuation {
  /** The scheduled time of the run it continues (periods that ended by then). */
  now: string;
  unit: DigestUnit;
}

export interface DigestContinuations {
  send(messages: DigestContinuation[]): Promise<void>;
}

export function parseDigestContinuation(body: string): DigestContinuation | undefined {
  try {
    const parsed = JSON.parse(body) as Partial<DigestContinuation>;
    if (typeof parsed.now !== 'string' || Number.isNaN(Date.parse(parsed.now))) return undefined;
    if (!Number.isInteger(parsed.unit?.shard)) return undefined;
    const { shard, cursor } = parsed.unit!;
    return { now: parsed.now, unit: { shard, ...(cursor ? { cursor } : {}) } };
  } catch {
    return undefined;
  }
}

/** Digest continuations on AWS: one message per unfinished shard (at most eight), consumed by the digest function. */
export function sqsDigestContinuations(client: SQSClient, queueUrl: string): DigestContinuations {
  return {
    async send(messages) {
      for (let start = 0; start < messages.length; start += 10) {
        let entries = messages
          .slice(start, start + 10)
          .map((message, i) => ({ Id: String(i), MessageBody: JSON.stringify(message) }));
        for (let attempt = 0; entries.length > 0; attempt++) {
          if (attempt === 5) throw new Error(`SQS refused ${entries.length} digest continuations`);
          const result = await client.send(
            new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
          );
          const failed = new Set((result.Failed ?? []).map((failure) => failure.Id));
          entries = entries.filter((entry) => failed.has(entry.Id));
        }
      }
    },
  };
}

export interface DigestHandlerDeps {
  digest: DigestDeps;
  continuations: DigestContinuations;
  pageSize?: number;
  maxPeriods?: number;
  clock?: () => Date;
}

/** The digest function's dependencies, from the alert pipeline's wiring and DIGEST_QUEUE_URL. */
export function digestFromAlerts(alerts: AwsAlerts, env: NodeJS.ProcessEnv = process.env): DigestHandlerDeps {
  const { fanout, config } = alerts;
  return {
    digest: {
      table: alerts.table,
      subscriptions: fanout.subscriptions,
      deliveries: fanout.deliveries,
      queue: fanout.queue,
      logger: alerts.logger,
    },
    continuations: sqsDigestContinuations(alerts.sqs, required(env, 'DIGEST_QUEUE_URL')),
    ...(config.digestPageSize ? { pageSize: config.digestPageSize } : {}),
    ...(config.digestMaxPeriods ? { maxPeriods: config.digestMaxPeriods } : {}),
  };
}

type RemainingTime = Pick<Context, 'getRemainingTimeInMillis'>;

/**
 * Digests on AWS, fed by two sources. The hourly schedule: every period that ended by the
 * scheduled time (the event's `time`, so a redelivered schedule runs for the same hour) is sent;
 * shards the invocation does not finish go on as continuation messages. The continuation queue:
 * one shard from its cursor, handing on again what it does not finish. Sending twice is harmless.
 */
export function createDigestHandler(deps: DigestHandlerDeps) {
  const clock = deps.clock ?? (() => new Date());
  const deadlineOf = (context?: RemainingTime) =>
    Date.now() + Math.max(1_000, (context?.getRemainingTimeInMillis() ?? 60_000) - DIGEST_SAFETY_MS);
  const run = async (now: Date, units: DigestUnit[] | undefined, context?: RemainingTime) => {
    const result = await runDigests(deps.digest, {
      now,
      deadline: deadlineOf(context),
      maxPeriods: deps.maxPeriods ?? DIGEST_MAX_PERIODS,
      ...(deps.pageSize ? { pageSize: deps.pageSize } : {}),
      ...(units ? { units } : {}),
    });
    if (result.remaining.length > 0)
      await deps.continuations.send(result.remaining.map((unit) => ({ now: now.toISOString(), unit })));
    return result;
  };

  async function fromContinuations(event: SQSEvent, context?: RemainingTime): Promise<SQSBatchResponse> {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const message = parseDigestContinuation(record.body);
      try {
        if (!message) throw new Error('unreadable digest continuation');
        await run(new Date(message.now), [message.unit], context);
      } catch (error) {
        deps.digest.logger.error('digest continuation failed', { messageId: record.messageId, error });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  }

  return async function digestHandler(
    event: ScheduledEvent | SQSEvent,
    context?: RemainingTime,
  ): Promise<SQSBatchResponse | Awaited<ReturnType<typeof run>>> {
    if ('Records' in event) return fromContinuations(event, context);
    const scheduled = Date.parse(event.time ?? '');
    return run(Number.isNaN(scheduled) ? clock() : new Date(scheduled), undefined, context);
  };
}
