/**
 * The cfn-lint suppressions in the template (`npm run lint:cfn` runs cfn-lint itself): exactly
 * these, each on its one resource, each with a reason in the code.
 */
import type { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cfnLintSuppressionMetadataKey } from '../../infra/constructs/cfn-lint.ts';
import { synth } from './synth.ts';

let app: App;
let template: Template;

beforeAll(() => {
  ({ app, template } = synth());
});

const withoutHash = (id: string) => id.replace(/[0-9A-F]{8}$/, '');

function suppressionsInTemplate(): string[] {
  const resources = template.toJSON().Resources as Record<string, { Metadata?: Record<string, unknown> }>;
  return Object.entries(resources).flatMap(([id, resource]) => {
    const config = resource.Metadata?.['cfn-lint'] as { config?: { ignore_checks?: string[] } } | undefined;
    return (config?.config?.ignore_checks ?? []).map((check) => `${check} @ ${withoutHash(id)}`);
  });
}

function reasons(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === cfnLintSuppressionMetadataKey)
        .map((entry) => ({ path: construct.node.path, ...(entry.data as { id: string; reason: string }) })),
    );
}

describe('cfn-lint suppressions', () => {
  it('are exactly these, each on one resource', () => {
    expect(suppressionsInTemplate().sort()).toEqual(
      [
        'W3005 @ ApiHandler',
        'W3005 @ AlertsFanout',
        'W3005 @ AlertsDeliver',
        'W3005 @ AlertsSweep',
        'W3005 @ MailEventsHandler',
        'W3005 @ DigestsHandler',
        'E3002 @ MonitoringDashboard',
      ].sort(),
    );
  });

  it('each have a reason of at least a sentence', () => {
    const recorded = reasons(app);
    expect(recorded).toHaveLength(suppressionsInTemplate().length);
    for (const { reason } of recorded) expect(reason.length).toBeGreaterThan(60);
  });
});
