/**
 * Synthesizes the app the way `cdk synth` does (cdk.json's context, cdk-nag registered by
 * createApp), minus bundling: `aws:cdk:bundling-stacks: []` leaves assets unbundled, so a test
 * run takes seconds and needs neither esbuild output nor Docker.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../../infra/app.ts';
import type { DatelineStack } from '../../infra/dateline-stack.ts';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context?: Record<string, unknown>;
};

export interface Synthesized {
  app: App;
  stack: DatelineStack;
  template: Template;
  /** Directory of the cloud assembly (holds validation-report.json). */
  assemblyDirectory: string;
}

export interface SynthOptions {
  /**
   * Run CDK's built-in CloudFormation schema validation, as `cdk synth` does. It costs about
   * two seconds per test file, so only the files that test validation turn it on.
   */
  cloudFormationValidation?: boolean;
}

export function synth(context: Record<string, unknown> = {}, options: SynthOptions = {}): Synthesized {
  const app = new App({
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
  });
  const { stack } = createApp(app);
  // Runs the validation plugins (cdk-nag) too: synth throws on an unacknowledged finding.
  const assembly = app.synth();
  return { app, stack, template: Template.fromStack(stack), assemblyDirectory: assembly.directory };
}

export type Resource = { Type: string; Properties: Record<string, unknown>; [key: string]: unknown };

/** CDK logical ids are the construct path without separators, plus an 8-digit hash. */
const named = (name: string) => (id: string) => new RegExp(`^${name}[0-9A-F]{8}$`).test(id);

/** The one resource of a type whose construct path reads `name` (e.g. `QueuesDelivery`). */
export function resourceNamed(template: Template, type: string, name: string): Resource {
  return template.toJSON().Resources[logicalId(template, type, name)] as Resource;
}

/** Logical id of the one resource of a type whose construct path reads `name`. */
export function logicalId(template: Template, type: string, name: string): string {
  const ids = Object.keys(template.findResources(type)).filter(named(name));
  if (ids.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${ids.length}`);
  return ids[0]!;
}
