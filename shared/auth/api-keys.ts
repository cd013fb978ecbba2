import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../store/dynamo.ts';
import { apiKeyKey } from '../store/keys.ts';

export const scopes = ['events:write', 'subscriptions:write', 'admin'] as const;
export type Scope = (typeof scopes)[number];

export interface Principal {
  keyId: string;
  name: string;
  scopes: Scope[];
}

interface ApiKeyItem {
  pk: string;
  sk: string;
  keyId: string;
  name: string;
  scopes: Scope[];
  secretHash: string;
  createdAt: string;
}

const KEY_FORMAT = /^dl_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest();

/** Whether a principal may act with a scope (admin may do everything). */
export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(scope);
}

/**
 * API keys look like `dl_<keyId>_<secret>`. Only a SHA-256 hash of the secret is stored; the key id
 * finds the record and the hash is compared in constant time.
 */
export class ApiKeyStore {
  private readonly cache = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly table: Table,
    private readonly cacheMs = 30_000,
  ) {}

  async create(options: {
    name: string;
    scopes: Scope[];
    now?: Date;
  }): Promise<{ key: string; principal: Principal }> {
    const keyId = randomBytes(8).toString('hex').slice(0, 12);
    const secret = randomBytes(32).toString('base64url');
    const item: ApiKeyItem = {
      ...apiKeyKey(keyId),
      keyId,
      name: options.name,
      scopes: [...new Set(options.scopes)],
      secretHash: hashSecret(secret).toString('hex'),
      createdAt: (options.now ?? new Date()).toISOString(),
    };
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.name,
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { key: `dl_${keyId}_${secret}`, principal: { keyId, name: item.name, scopes: item.scopes } };
  }

  /** Installs a key chosen by the operator (DATELINE_ADMIN_KEY); idempotent. */
  async ensure(key: string, options: { name: string; scopes: Scope[] }): Promise<void> {
    const match = KEY_FORMAT.exec(key);
    if (!match)
      throw new Error(
        'DATELINE_ADMIN_KEY must look like dl_<12 hex/alnum>_<43 base64url chars>; use `npm run keys -- create`',
      );
    const item: ApiKeyItem = {
      ...apiKeyKey(match[1]!),
      keyId: match[1]!,
      name: options.name,
      scopes: options.scopes,
      secretHash: hashSecret(match[2]!).toString('hex'),
      createdAt: new Date().toISOString(),
    };
    await this.table.client.send(new PutCommand({ TableName: this.table.name, Item: item }));
  }

  /** The principal a bearer token stands for, or undefined when it is not a valid key. */
  async verify(token: string): Promise<Principal | undefined> {
    const match = KEY_FORMAT.exec(token);
    if (!match) return undefined;
    const [, keyId, secret] = match as unknown as [string, string, string];
    const cacheKey = hashSecret(token).toString('hex');
    const cached = this.cache.get(cacheKey);
    if (cached && cached.until > Date.now()) return cached.principal;
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.name, Key: apiKeyKey(keyId) }),
    );
    const item = result.Item as ApiKeyItem | undefined;
    const given = hashSecret(secret);
    // Compare even when the id is unknown, so timing does not tell which ids exist.
    const stored = item ? Buffer.from(item.secretHash, 'hex') : Buffer.alloc(given.length);
    const equal = timingSafeEqual(given, stored) && item !== undefined;
    if (!equal) return undefined;
    const principal = { keyId, name: item.name, scopes: item.scopes };
    this.cache.set(cacheKey, { principal, until: Date.now() + this.cacheMs });
    return principal;
  }
}

/** Generates a key string in the accepted format without storing it (for DATELINE_ADMIN_KEY setups). */
export function generateApiKeyString(): string {
  return `dl_${randomBytes(8).toString('hex').slice(0, 12)}_${randomBytes(32).toString('base64url')}`;
}
