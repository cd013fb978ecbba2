import { parseArgs } from 'node:util';
import { ApiKeyStore, generateApiKeyString, type Scope, scopes } from '../auth/api-keys.ts';
import { createTable } from '../store/dynamo.ts';
import { readLocalConfig } from './config.ts';
import { openLocalStore, readRunningServer } from './local-store.ts';

const USAGE = `Usage: npm run keys -- create --scopes events:write[,subscriptions:write,admin] [--name NAME]
       npm run keys -- generate     prints a fresh key string for DATELINE_ADMIN_KEY (stores nothing)

Creates an API key and prints it once; only its hash is stored.
  - with TABLE_NAME (and AWS credentials/region): in that DynamoDB table (a deployed stack);
  - else, when Dateline is running on this data dir: through its admin API;
  - else: directly in the data dir (DATELINE_DATA_DIR, default .data).`;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { scopes: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (positionals[0] === 'generate' && !values.help) {
    process.stdout.write(`${generateApiKeyString()}\n`);
    return 0;
  }
  if (values.help || positionals[0] !== 'create' || !values.scopes) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const requested = values.scopes.split(',').map((scope) => scope.trim());
  const unknown = requested.filter((scope) => !scopes.includes(scope as Scope));
  if (unknown.length > 0) {
    process.stderr.write(`Unknown scope(s): ${unknown.join(', ')}. Known: ${scopes.join(', ')}\n`);
    return 2;
  }
  const options = { name: values.name ?? 'api key', scopes: requested as Scope[] };
  const key = await createKey(options);
  process.stdout.write(`${key}\n`);
  process.stderr.write(
    `Created a key with scopes ${options.scopes.join(', ')}. It is shown only now; keep it safe.\n`,
  );
  return 0;
}

async function createKey(options: { name: string; scopes: Scope[] }): Promise<string> {
  if (process.env.TABLE_NAME) {
    const table = createTable({ tableName: process.env.TABLE_NAME });
    return (await new ApiKeyStore(table).create(options)).key;
  }
  const config = readLocalConfig();
  const running = await readRunningServer(config.dataDir);
  if (running) {
    const response = await fetch(`${running.url}/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${running.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(options),
    });
    if (response.status !== 201)
      throw new Error(`the running server refused: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { key: string }).key;
  }
  const store = await openLocalStore(config.dataDir);
  try {
    return (await new ApiKeyStore(store.table).create(options)).key;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`keys: ${error.message}\n`);
    process.exit(1);
  },
);
