import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** Secrets the functions read at run time. */
export class Secrets extends Construct {
  /** HMAC key for subscription confirmation, management and unsubscribe tokens. */
  readonly tokenSigningKey: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.tokenSigningKey = new Secret(this, 'TokenSigningKey', {
      description: 'Dateline: key that signs subscription confirmation, management and unsubscribe tokens',
      // 64 alphanumerics ≈ 380 bits; no punctuation so the value needs no escaping anywhere.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      // Tokens already mailed (unsubscribe links) must keep verifying while the retained table
      // still holds their subscriptions.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.tokenSigningKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the token-signing key would invalidate every unsubscribe link already mailed (RFC 8058 one-click ' +
        'must keep working), and the functions cache the key per container. Rotate by hand with a key-id scheme if it leaks.',
    });
  }
}
