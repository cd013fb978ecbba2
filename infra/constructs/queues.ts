import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface QueuesProps {
  /** Timeout of the delivery queue's consumer; the visibility timeout is derived from it. */
  deliveryConsumerTimeout: Duration;
  /** Timeout of the fan-out function, the continuation queue's consumer. */
  fanoutConsumerTimeout: Duration;
}

/**
 * Each retry of a delivery is a new message (delayed, or re-driven by the sweeper), so a message
 * is received again only when its attempt crashed or was throttled; 12 receives leave room for
 * those before SQS gives up and dead-letters the message (the delivery itself stays in the table,
 * and the sweeper re-drives it once overdue).
 */
export const deliveryMaxReceiveCount = 12;

/** A continuation failing this often is dead-lettered; its progress stays, and the sweeper resumes it. */
export const continuationMaxReceiveCount = 5;

/** AWS's guidance for a Lambda-consumed queue: visibility timeout at least 6× the function timeout. */
export const visibilityTimeoutFactor = 6;

const common: QueueProps = {
  enforceSSL: true,
  encryption: QueueEncryption.SQS_MANAGED,
  // The longest SQS allows: time to notice an alarm and re-drive by hand.
  retentionPeriod: Duration.days(14),
};

/**
 * The delivery queue with its dead-letter queue, the fan-out continuation queue with its own, and
 * the queue that catches failed stream batches.
 */
export class Queues extends Construct {
  readonly delivery: Queue;
  readonly deliveryDeadLetters: Queue;
  readonly fanoutContinuations: Queue;
  readonly fanoutContinuationDeadLetters: Queue;
  readonly streamFailures: Queue;

  constructor(scope: Construct, id: string, props: QueuesProps) {
    super(scope, id);
    this.deliveryDeadLetters = new Queue(this, 'DeliveryDeadLetters', common);
    this.delivery = new Queue(this, 'Delivery', {
      ...common,
      visibilityTimeout: Duration.seconds(
        props.deliveryConsumerTimeout.toSeconds() * visibilityTimeoutFactor,
      ),
      deadLetterQueue: { queue: this.deliveryDeadLetters, maxReceiveCount: deliveryMaxReceiveCount },
    });
    this.fanoutContinuationDeadLetters = new Queue(this, 'FanoutContinuationDeadLetters', common);
    this.fanoutContinuations = new Queue(this, 'FanoutContinuations', {
      ...common,
      visibilityTimeout: Duration.seconds(props.fanoutConsumerTimeout.toSeconds() * visibilityTimeoutFactor),
      deadLetterQueue: {
        queue: this.fanoutContinuationDeadLetters,
        maxReceiveCount: continuationMaxReceiveCount,
      },
    });
    // Receives only metadata of stream batches fan-out could not process (shard, sequence
    // numbers); the items themselves still carry feedPk, so the sweeper re-drives them.
    this.streamFailures = new Queue(this, 'StreamFailures', common);
    Validations.of(this.streamFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the terminal on-failure destination of the stream event source (a dead-letter ' +
        'queue in all but name); nothing consumes it automatically, an alarm fires when it is not empty.',
    });
  }
}
