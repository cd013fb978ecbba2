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

/** The SES identity alert mail is sent as, and the configuration set applied to it. */
export class Sender extends Construct implements MailSender {
  readonly address: string;
  readonly identityArn: string;
  readonly configurationSetArn?: string;
  readonly identity?: EmailIdentity;

  constructor(scope: Construct, id: string, props: SenderProps) {
    super(scope, id);
    this.address = props.address;
    const identityName = props.domain ?? props.address;

    if (!props.createIdentity) {
      this.identityArn = Stack.of(this).formatArn({
        service: 'ses',
        resource: 'identity',
        resourceName: identityName,
      });
      return;
    }

    // Made the identity's default set, so every send gets it without the code naming it:
    // bounces and complaints go on the account suppression list, reputation is tracked.
    const configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: props.domain ? Identity.domain(props.domain) : Identity.email(props.address),
      configurationSet,
    });
    this.identityArn = this.identity.emailIdentityArn;
    this.configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: configurationSet.configurationSetName,
    });
  }
}
