import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * The token-signing key from Secrets Manager, fetched once per container on first use and cached.
 * A failed fetch is not cached, so the next request tries again.
 */
export function secretsManagerTokenKey(
  secretArn: string,
  client = new SecretsManagerClient({}),
): () => Promise<Uint8Array> {
  let cached: Promise<Uint8Array> | undefined;
  return () => {
    cached ??= client.send(new GetSecretValueCommand({ SecretId: secretArn })).then(
      (result) => {
        if (!result.SecretString) throw new Error('the token secret has no string value');
        return Buffer.from(result.SecretString, 'utf8');
      },
      (error) => {
        cached = undefined;
        throw error;
      },
    );
    return cached;
  };
}
