import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CfnResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import type { LogLevel } from '../../shared/platform/logger.ts';
import { ignoreCfnLintChecks } from './cfn-lint.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Namespace of the embedded-metric-format metrics the functions write (shared/platform/metrics.ts). */
export const metricsNamespace = 'Dateline';

/**
 * ESM bundles have no `require`, but CommonJS dependencies bundled into them still call it
 * (for Node built-ins). The alias keeps the banner from clashing with a bundled module that
 * imports `createRequire` itself.
 */
export const requireBanner =
  "import { createRequire as __datelineCreateRequire } from 'module'; const require = __datelineCreateRequire(import.meta.url);";

/**
 * The esbuild options every function is bundled with. NodejsFunction turns them into CLI flags;
 * tests/infra/bundle.test.ts passes them to the esbuild API to prove the bundle loads.
 * The AWS SDK is bundled rather than taken from the runtime so Lambda runs the SDK versions
 * pinned in package-lock.json, the ones the tests ran against.
 */
export const esbuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: { js: requireBanner },
  outExtension: { '.js': '.mjs' },
} satisfies BuildOptions;

/** Files of installed packages a function reads at run time, by package: `{ 'swagger-ui-dist': ['swagger-ui.css'] }`. */
export type PackageFiles = Record<string, readonly string[]>;

/**
 * The shell commands that copy those files from the project's node_modules into the bundle's own
 * (`<outputDir>/node_modules/<package>/`), where Node's resolution finds them from the bundle as
 * it finds them from source. Run after esbuild (NodejsFunction `afterBundling`); tests run them too.
 */
export function packageFileCopyCommands(inputDir: string, outputDir: string, files: PackageFiles): string[] {
  return Object.entries(files).flatMap(([name, paths]) => {
    const from = join(inputDir, 'node_modules', name);
    const to = join(outputDir, 'node_modules', name);
    // A path may sit in a folder of the package (lib/feed.js): make each folder first.
    const folders = [...new Set(paths.map((path) => dirname(join(to, path))))];
    return [
      ...folders.map((folder) => `mkdir -p "${folder}"`),
      ...paths.map((path) => `cp "${join(from, path)}" "${join(to, path)}"`),
    ];
  });
}

export interface DatelineFunctionProps {
  /** File name under functions/, e.g. `api.ts`. */
  entry: string;
  description: string;
  logLevel: LogLevel;
  memorySize?: number;
  timeout?: Duration;
  environment?: Record<string, string>;
  reservedConcurrentExecutions?: number;
  /** Retries of asynchronous invocations (schedules); event source mappings have their own. */
  retryAttempts?: number;
  maxEventAge?: Duration;
  logRetention?: RetentionDays;
  /** Package files the function reads at run time (not bundled: read from disk when first needed). */
  packageFiles?: PackageFiles;
}

/**
 * The house Lambda function: ARM64, Node.js 24, ESM bundle with source maps, its own log group
 * with retention, and a role that starts with nothing but permission to write to that log group.
 * Everything else is granted by the bind* helpers in bindings.ts.
 */
export class DatelineFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: DatelineFunctionProps) {
    // A constructor cannot create children before super(), so the log group and role are
    // siblings. Our own role avoids the AWSLambdaBasicExecutionRole managed policy, whose
    // logs:* grants cover every log group in the account.
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the Dateline ${id} function`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: join(repoRoot, 'functions', props.entry),
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: join(repoRoot, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role,
      logGroup,
      // X-Ray stays off: its grants need Resource "*", and requests are traced through
      // requestId/changeId/deliveryId in the structured logs instead.
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      retryAttempts: props.retryAttempts,
      maxEventAge: props.maxEventAge,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        LOG_LEVEL: props.logLevel,
        METRICS_NAMESPACE: metricsNamespace,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: esbuildOptions.target,
        minify: esbuildOptions.minify,
        sourceMap: esbuildOptions.sourcemap,
        sourcesContent: esbuildOptions.sourcesContent,
        mainFields: esbuildOptions.mainFields,
        banner: esbuildOptions.banner.js,
        bundleAwsSDK: true,
        externalModules: [],
        forceDockerBundling: false,
        ...(props.packageFiles
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  packageFileCopyCommands(inputDir, outputDir, props.packageFiles!),
              },
            }
          : {}),
      },
    });
    ignoreCfnLintChecks(this.node.defaultChild as CfnResource, {
      W3005:
        'aws-lambda Function makes its resource depend on the role (and its default policy) with a construct ' +
        'dependency, which CDK renders as DependsOn next to the Fn::GetAtt of the role; the duplicate is ' +
        'harmless, and constructs offer no way to remove a dependency another construct added.',
    });
  }
}
