import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { onceRetrying } from '../platform/once-retrying.ts';

/**
 * The token-signing key from Secrets Manager, fetched once per container on first use and cached.
 * A failed fetch is not cached, so the next request tries again. The Secrets Manager client (and
 * its SDK module) is loaded on that first use too, not at init: requests that sign or check no
 * cursor or token never need it.
 */
export function secretsManagerTokenKey(
  secretArn: string,
  client?: SecretsManagerClient,
): () => Promise<Uint8Array> {
  return onceRetrying(async () => {
    const sdk = await import('@aws-sdk/client-secrets-manager');
    client ??= new sdk.SecretsManagerClient({});
    const result = await client.send(new sdk.GetSecretValueCommand({ SecretId: secretArn }));
    if (!result.SecretString) throw new Error('the token secret has no string value');
    return Buffer.from(result.SecretString, 'utf8');
  });
}
