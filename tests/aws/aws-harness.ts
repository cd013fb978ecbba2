/**
 * One Dateline "deployment" on moto: the stack's resources created from its template, the
 * handlers loaded (from source or from the esbuild bundles Lambda runs) with the environment the
 * template gives each function, and the Lambda emulator driving them. SES requests pass through a
 * recorder on their way to moto, so a test can publish the SES events of a mail that was sent
 * (moto publishes none) to the topic the configuration set's event destination names.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { simpleParser } from 'mailparser';
import { bundleFunction } from '../../infra/constructs/function-bundle.ts';
import { ApiKeyStore, type Scope } from '../../shared/auth/api-keys.ts';
import { createTable } from '../../shared/store/dynamo.ts';
import { type Handler, type Handlers, LambdaEmulator } from './lambda-emulator.ts';
import { type RecordedSend, startSesRecorder } from './ses-recorder.ts';
import { createStackOnMoto, type FunctionName, type StackOnMoto } from './stack-on-moto.ts';

export const PUBLIC_URL = 'https://dateline.test';
/** Where the bundles are built (a temporary folder); the test runner leaves files there to Node. */
export const BUNDLE_DIR_PREFIX = 'dateline-aws-bundle-';
const entries: FunctionName[] = ['api', 'fanout', 'deliver', 'sweep', 'mail-events', 'digest'];

/** Settings these tests add to every function's environment: all of them supported, none set by the stack. */
export const testSettings = {
  // Webhook receivers here are HTTP servers on loopback.
  DATELINE_ALLOW_LOOPBACK_WEBHOOKS: '1',
  // Retries a second apart instead of minutes, so a retry through the queue fits in a test.
  DATELINE_RETRY_SCHEDULE: '0,1,1,1',
  // The sweeper takes a change as missed at once instead of after ten minutes.
  SWEEP_GRACE_SECONDS: '0',
  LOG_LEVEL: 'error',
};

export type HandlerSource = 'source' | 'bundle';

export interface AwsDeployment {
  stack: StackOnMoto;
  lambda: LambdaEmulator;
  key(scopes: Scope[]): Promise<string>;
  /** Raw SES messages moto accepted, parsed, to one address. */
  mailsTo(address: string): Promise<Awaited<ReturnType<typeof simpleParser>>[]>;
  /** Every SendEmail the functions made to one address, as sent (message tags included) and answered. */
  sesSendsTo(address: string): RecordedSend[];
  /** Publishes an SES event record to the mail-events topic, as the configuration set's event destination does. */
  publishSesEvent(record: unknown): Promise<void>;
  close(): Promise<void>;
}

export interface DeployOptions {
  /** More settings for every function (e.g. FANOUT_PAGE_SIZE). */
  settings?: Record<string, string>;
  /** Time a function's invocations get instead of its timeout in the template (less time left). */
  timeoutsMs?: Partial<Record<FunctionName, number>>;
}

export async function deployOnMoto(
  endpoint: string,
  source: HandlerSource,
  options: DeployOptions = {},
): Promise<AwsDeployment> {
  const prefix = `dateline-${source}-${Date.now().toString(36)}`;
  const stack = await createStackOnMoto(endpoint, prefix, PUBLIC_URL);
  Object.assign(stack.timeoutsMs, options.timeoutsMs);
  const ses = await startSesRecorder(endpoint);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    // The SDK's service-specific endpoint: SES v2 goes through the recorder.
    AWS_ENDPOINT_URL_SESV2: ses.url,
    AWS_REGION: stack.region,
    AWS_ACCESS_KEY_ID: 'moto',
    AWS_SECRET_ACCESS_KEY: 'moto',
  });
  let outdir: string | undefined;
  const handlers = {} as Handlers;
  for (const name of entries) {
    // The functions read their settings once, at import: each is loaded with its own environment
    // (where two set the same variable they agree: one table, one queue).
    Object.assign(process.env, stack.environments[name], testSettings, options.settings);
    if (source === 'source') {
      handlers[name] = ((await import(`../../functions/${name}.ts`)) as { handler: Handler }).handler;
    } else {
      outdir ??= await bundle();
      handlers[name] = (await nativeImport(pathToFileURL(join(outdir, name, 'index.mjs')).href)).handler;
    }
  }
  const lambda = new LambdaEmulator(stack, handlers);
  const apiKeys = new ApiKeyStore(
    createTable({ tableName: stack.tableName, endpoint, region: stack.region }),
  );
  return {
    stack,
    lambda,
    key: async (scopes) => (await apiKeys.create({ name: 'aws-path tests', scopes })).key,
    async mailsTo(address) {
      const data = (await (await fetch(`${endpoint}/moto-api/data.json`)).json()) as {
        ses?: { RawMessage?: { destinations: string[]; raw_data: string }[] };
      };
      const raw = (data.ses?.RawMessage ?? []).filter((message) =>
        message.destinations.some((destination) => destination.includes(address)),
      );
      return Promise.all(raw.map((message) => simpleParser(message.raw_data)));
    },
    sesSendsTo: (address) => ses.sends.filter((send) => send.to.includes(address)),
    async publishSesEvent(record) {
      await stack.sns('Publish', {
        TopicArn: stack.mailEventsTopicArn,
        Subject: 'Amazon SES Email Event Notification',
        Message: JSON.stringify(record),
      });
    },
    close: async () => {
      await ses.close();
      if (outdir) await rm(outdir, { recursive: true, force: true });
    },
  };
}

/** Each entry bundled as DatelineFunction bundles it, into a folder of its own. */
async function bundle(): Promise<string> {
  const outdir = await mkdtemp(join(tmpdir(), BUNDLE_DIR_PREFIX));
  for (const name of entries) bundleFunction(`${name}.ts`, join(outdir, name));
  return outdir;
}

/**
 * Node's own import: the bundle folder is external to the test runner (tests/aws/vitest.config.ts),
 * so the bundle loads untransformed, as Lambda loads it.
 */
const nativeImport = (url: string) => import(/* @vite-ignore */ url) as Promise<{ handler: Handler }>;
