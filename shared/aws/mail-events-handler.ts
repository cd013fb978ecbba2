import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { applyHealth } from '../alerts/subscription-health.ts';
import { concernsAddress, readSesEvent } from '../delivery/email/ses-events.ts';
import { NotFoundError } from '../errors.ts';
import { createLogger, type Logger } from '../platform/logger.ts';
import { createTable } from '../store/dynamo.ts';
import { SubscriptionRepository } from '../store/subscription-repository.ts';
import { readAwsConfig } from './config.ts';

export interface MailEventsDeps {
  subscriptions: SubscriptionRepository;
  logger: Logger;
  clock?: () => Date;
}

/** The mail-events function's dependencies from its environment: the table, nothing else. */
export function mailEventsFromEnv(env: NodeJS.ProcessEnv = process.env): MailEventsDeps {
  const config = readAwsConfig(env);
  return {
    subscriptions: new SubscriptionRepository(createTable({ tableName: config.tableName })),
    logger: createLogger({ service: 'dateline-mail-events', level: config.logLevel }),
  };
}

type Handled = 'applied' | 'ignored' | 'retry';

/**
 * SES events (through the configuration set's SNS topic and its queue) → subscription health.
 * Each message is one SES event: a permanent bounce or a complaint disables the subscription its
 * `subscription` tag names, a transient bounce counts as a failed delivery, a delivery moves
 * `lastDeliveryAt`. An event about an address the subscription does not have, a subscription that
 * is gone, or a mail that is no subscriber's (a notice to a webhook owner) changes nothing.
 * Unreadable messages and ones that could not be applied are reported, so SQS hands them back and
 * finally dead-letters them.
 */
export function createMailEventsHandler(deps: MailEventsDeps) {
  const clock = deps.clock ?? (() => new Date());

  async function handle(body: string, messageId: string): Promise<Handled> {
    const now = clock();
    const event = readSesEvent(body, now);
    if (!event) {
      deps.logger.error('unreadable mail event', { messageId });
      return 'retry';
    }
    const log = deps.logger.child({
      sesMessageId: event.messageId,
      eventType: event.type,
      ...(event.subscriptionId ? { subscriptionId: event.subscriptionId } : {}),
      ...(event.deliveryId ? { deliveryId: event.deliveryId } : {}),
    });
    if (event.type === 'Reject') log.error('SES refused to send a message', { note: event.note });
    if (!event.subscriptionId || !event.signal) {
      log.info('mail event without effect on a subscription', { note: event.note ?? 'no subscription tag' });
      return 'ignored';
    }
    let subscription: Awaited<ReturnType<SubscriptionRepository['get']>>;
    try {
      subscription = await deps.subscriptions.get(event.subscriptionId);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      log.info('mail event for a subscription that no longer exists');
      return 'ignored';
    }
    if (subscription.channel !== 'email' || !concernsAddress(event, subscription.address)) {
      log.warn('mail event names a subscription of another address; ignored');
      return 'ignored';
    }
    const change = await applyHealth(deps, subscription, event.signal, now);
    if (change === 'conflict') return 'retry';
    log.info('mail event', { note: event.note, change });
    return 'applied';
  }

  return async function mailEventsHandler(event: SQSEvent): Promise<SQSBatchResponse> {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    // One after another: events of one subscription in a batch then see each other's writes.
    for (const record of event.Records) {
      try {
        if ((await handle(record.body, record.messageId)) === 'retry')
          failures.push({ itemIdentifier: record.messageId });
      } catch (error) {
        deps.logger.error('mail event failed', { messageId: record.messageId, error });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}
