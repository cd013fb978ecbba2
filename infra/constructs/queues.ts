import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface QueuesProps {
  /** Timeout of the delivery queue's consumer; the visibility timeout is derived from it. */
  deliveryConsumerTimeout: Duration;
}

/**
 * The app retries a delivery up to 8 times itself (delaying each retry through
 * ChangeMessageVisibility); 12 receives leave room for crashes and throttles before SQS
 * gives up and dead-letters the message.
 */
export const deliveryMaxReceiveCount = 12;

/** AWS's guidance for a Lambda-consumed queue: visibility timeout at least 6× the function timeout. */
export const visibilityTimeoutFactor = 6;

const common: QueueProps = {
  enforceSSL: true,
  encryption: QueueEncryption.SQS_MANAGED,
  // The longest SQS allows: time to notice an alarm and re-drive by hand.
  retentionPeriod: Duration.days(14),
};

/** The delivery queue with its dead-letter queue, and the queue that catches failed stream batches. */
export class Queues extends Construct {
  readonly delivery: Queue;
  readonly deliveryDeadLetters: Queue;
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
