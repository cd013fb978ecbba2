import { type LocalConfig, readLocalConfig } from './config.ts';
import { type LocalRuntime, startLocalRuntime } from './runtime.ts';
import { StartupError } from './startup-error.ts';

// The SDK is pinned to the last line that supports Node 20 on purpose; its upgrade notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Everything this process creates in the data dir (LevelDB's files, the outbox) is its owner's only.
process.umask(0o077);

/** A problem the user can fix: one line on stderr, exit status 1. Anything else is a bug and keeps its stack. */
function exitOnStartupError(error: unknown): never {
  if (!(error instanceof StartupError)) throw error;
  process.stderr.write(`Dateline cannot start: ${error.message}\n`);
  process.exit(1);
}

let config: LocalConfig;
let runtime: LocalRuntime;
try {
  config = readLocalConfig();
  runtime = await startLocalRuntime(config);
} catch (error) {
  exitOnStartupError(error);
}

/** The admin key in full only on the start that created it; afterwards its id and where it is kept. */
const adminKeyLine = runtime.adminKeyCreated
  ? `Admin key (created now, kept in ${runtime.adminKeySource}): ${runtime.adminKey}`
  : `Admin key: ${runtime.adminKey.slice(0, 'dl_'.length + 13)}…  (the full key is in ${runtime.adminKeySource})`;

process.stdout.write(
  [
    '',
    `Dateline is running at ${runtime.url}  (API docs: ${runtime.url}/docs)`,
    `Data dir: ${config.dataDir}${runtime.seeded ? `  (loaded ${runtime.seeded} seed events)` : ''}`,
    adminKeyLine,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let shuttingDown = false;
function shutDown(reason: string) {
  if (shuttingDown) return;
  shuttingDown = true;
  runtime.logger.info('shutting down', { reason });
  runtime.stop().then(
    () => process.exit(0),
    (error) => {
      runtime.logger.error('shutdown failed', { error });
      process.exit(1);
    },
  );
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => shutDown(signal));

// Under `npm start` the process is npm → sh → node, and npm does not wait for its script when it
// is signalled: the shell exits and node would keep serving, orphaned. So when run by npm, stop
// when the parent goes away (it is then re-parented, and its parent pid changes).
if (process.env.npm_lifecycle_event === 'start') {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) shutDown('parent process exited');
  }, 250).unref();
}
