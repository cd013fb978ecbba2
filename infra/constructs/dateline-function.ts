import {
  AssetHashType,
  type CfnResource,
  DockerImage,
  Duration,
  type ILocalBundling,
  RemovalPolicy,
} from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { LogLevel } from '../../shared/platform/logger.ts';
import { ignoreCfnLintChecks } from './cfn-lint.ts';
import { bundleFunction, type PackageFiles, repoRoot } from './function-bundle.ts';

/** Namespace of the embedded-metric-format metrics the functions write (shared/platform/metrics.ts). */
export const metricsNamespace = 'Dateline';

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
 * The house Lambda function: ARM64, Node.js 24, an ESM bundle with source maps split into
 * chunks (function-bundle.ts), its own log group
 * with retention, and a role that starts with nothing but permission to write to that log group.
 * Everything else is granted by the bind* helpers in bindings.ts.
 */
export class DatelineFunction extends LambdaFunction {
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
      code: bundledCode(props.entry, props.packageFiles),
      handler: 'index.handler',
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
    });
    ignoreCfnLintChecks(this.node.defaultChild as CfnResource, {
      W3005:
        'aws-lambda Function makes its resource depend on the role (and its default policy) with a construct ' +
        'dependency, which CDK renders as DependsOn next to the Fn::GetAtt of the role; the duplicate is ' +
        'harmless, and constructs offer no way to remove a dependency another construct added.',
    });
  }
}

/**
 * The function's code: `functions/<entry>` bundled by esbuild on this machine (bundleFunction),
 * hashed by its output. CDK's asset bundling wants an image for when local bundling declines; it
 * never does, so the image is never pulled.
 */
function bundledCode(entry: string, packageFiles: PackageFiles = {}): Code {
  return Code.fromAsset(repoRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: { image: DockerImage.fromRegistry('dummy'), local: new LocalBundle(entry, packageFiles) },
  });
}

/**
 * Bundles one entry. A class with fields rather than a bare `{ tryBundle }`: CDK caches a bundle
 * by the JSON of its bundling options, and a function serialises to nothing, so without the
 * fields every function would get the first one's bundle.
 */
class LocalBundle implements ILocalBundling {
  constructor(
    readonly entry: string,
    readonly packageFiles: PackageFiles,
  ) {}

  tryBundle(outputDir: string): boolean {
    bundleFunction(this.entry, outputDir, this.packageFiles);
    return true;
  }
}
