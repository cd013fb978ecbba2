import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ApiKeyStore, generateApiKeyString, type Scope, scopes } from '../auth/api-keys.ts';
import { createTable } from '../store/dynamo.ts';
import { dataDirFrom } from './config.ts';
import { localStoreExists, openLocalStore, readRunningServer } from './local-store.ts';

const USAGE = `Usage: npm run keys -- create --scopes events:write[,subscriptions:write,admin] [--name NAME] [--data-dir DIR]
       npm run keys -- generate     prints a fresh key string for DATELINE_ADMIN_KEY (stores nothing)

Creates an API key and prints it once; only its hash is stored. It goes to
  - with TABLE_NAME (and AWS credentials/region): that DynamoDB table (a deployed stack);
  - else, when Dateline is running on the data dir: the running server, through its admin API;
  - else: the data dir's store directly, if the data dir has one (it is never created here).
The data dir is --data-dir, else DATELINE_DATA_DIR, else .data. The line after the key says which store it went to.`;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Like the server: what this writes into the data dir is its owner's only.
process.umask(0o077);

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      scopes: { type: 'string' },
      name: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
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
  const dataDir = values['data-dir'] ? resolve(values['data-dir']) : dataDirFrom();
  const { key, store } = await createKey(options, dataDir);
  process.stdout.write(`${key}\n`);
  process.stderr.write(
    `Created a key with scopes ${options.scopes.join(', ')} in ${store}. It is shown only now; keep it safe.\n`,
  );
  return 0;
}

async function createKey(
  options: { name: string; scopes: Scope[] },
  dataDir: string,
): Promise<{ key: string; store: string }> {
  if (process.env.TABLE_NAME) {
    const table = createTable({ tableName: process.env.TABLE_NAME });
    const region = await table.client.config.region().catch(() => undefined);
    return {
      key: (await new ApiKeyStore(table).create(options)).key,
      store: `the DynamoDB table ${process.env.TABLE_NAME}${region ? ` (${region})` : ''}`,
    };
  }
  const running = await readRunningServer(dataDir);
  if (running) {
    const response = await fetch(`${running.url}/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${running.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(options),
    }).catch(() => undefined);
    // Not reachable (its record outlived it, or its pid now belongs to another process): the store
    // is then free, or its lock says who holds it.
    if (response) {
      if (response.status !== 201)
        throw new Error(`the server at ${running.url} refused: ${response.status} ${await response.text()}`);
      const { key } = (await response.json()) as { key: string };
      return { key, store: `the server running at ${running.url} (data dir ${dataDir})` };
    }
  }
  if (!(await localStoreExists(dataDir)))
    throw new Error(
      `no Dateline data dir at ${dataDir} and no server running on it, so the key was not created. ` +
        'Start Dateline once (npm start) to create it, or point DATELINE_DATA_DIR or --data-dir at an existing data dir ' +
        '(or set TABLE_NAME for a deployed table).',
    );
  const store = await openLocalStore(dataDir);
  try {
    return {
      key: (await new ApiKeyStore(store.table).create(options)).key,
      store: `the data dir ${dataDir} (opened directly; no server was running on it)`,
    };
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
