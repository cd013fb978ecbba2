import { readLocalConfig } from './config.ts';
import { startLocalRuntime } from './runtime.ts';

// The SDK is pinned to the last line that supports Node 20 on purpose; its upgrade notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const config = readLocalConfig();
const runtime = await startLocalRuntime(config);

process.stdout.write(
  [
    '',
    `Dateline is running at ${runtime.url}  (API docs: ${runtime.url}/docs)`,
    `Data dir: ${config.dataDir}${runtime.seeded ? `  (loaded ${runtime.seeded} seed events)` : ''}`,
    `Admin key${runtime.adminKeyCreated ? ' (created now, kept in the data dir)' : ''}: ${runtime.adminKey}`,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let shuttingDown = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (shuttingDown) return;
    shuttingDown = true;
    runtime.logger.info('shutting down', { signal });
    runtime.stop().then(
      () => process.exit(0),
      (error) => {
        runtime.logger.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  });
}
