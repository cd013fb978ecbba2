import { Stack } from 'aws-cdk-lib';
import { ConfigurationSet, EmailIdentity, Identity, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { MailSender } from './bindings.ts';

export interface SenderProps {
  address: string;
  /** Verify the whole domain (DKIM records to publish) instead of the single address. */
  domain?: string;
  /** False when the identity was verified outside this stack (creating it again would fail). */
  createIdentity: boolean;
}

/** The SES identity alert mail is sent as, and the configuration set every send names. */
export class Sender extends Construct implements MailSender {
  readonly address: string;
  readonly identityArn: string;
  readonly configurationSet: ConfigurationSet;
  readonly configurationSetArn: string;
  readonly configurationSetName: string;
  readonly identity?: EmailIdentity;

  constructor(scope: Construct, id: string, props: SenderProps) {
    super(scope, id);
    this.address = props.address;
    const identityName = props.domain ?? props.address;

    // Ours even when the identity is not: the delivery function names it on every send, so
    // bounces, complaints and deliveries are published to the mail-events function
    // (mail-events.ts), bounced and complaining addresses go on the account suppression list, and
    // reputation is tracked.
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSetName = this.configurationSet.configurationSetName;
    this.configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSetName,
    });

    if (!props.createIdentity) {
      this.identityArn = Stack.of(this).formatArn({
        service: 'ses',
        resource: 'identity',
        resourceName: identityName,
      });
      return;
    }
    // Also the identity's default set, so a send that does not name it (by hand, from the console) gets it too.
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: props.domain ? Identity.domain(props.domain) : Identity.email(props.address),
      configurationSet: this.configurationSet,
    });
    this.identityArn = this.identity.emailIdentityArn;
  }
}
