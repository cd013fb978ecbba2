import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readDeployConfig } from './config.ts';
import { DatelineStack, stackName } from './dateline-stack.ts';

/** Builds the app; exported so tests synthesize exactly what `cdk synth` does. */
export function createApp(app: App = new App()): { app: App; stack: DatelineStack } {
  const config = readDeployConfig(app.node);
  const stack = new DatelineStack(app, stackName(config.stage), {
    config,
    env: { account: config.account, region: config.region },
    description: `Dateline (${config.stage}): timeline of international-affairs events with webhook and email alerts`,
  });
  // cdk-nag 3 runs as a policy-validation plugin: any unacknowledged finding fails synthesis.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

// Synthesize only when run as the CDK entry point, not when a test imports createApp.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  createApp().app.synth();
}
