/**
 * cfn-lint (`npm run lint:cfn`, infra/lint-template.ts) reads per-resource suppressions from the
 * template: `Metadata: { "cfn-lint": { "config": { "ignore_checks": [...] } } }`. Each suppression
 * is added here, on the one resource it concerns, with its reason; the reason is kept as construct
 * metadata (not in the template), so tests/infra/cfn-lint.test.ts can list every suppression.
 */
import type { CfnResource } from 'aws-cdk-lib';

/** Construct metadata type under which each suppression's reason is recorded. */
export const cfnLintSuppressionMetadataKey = 'dateline:cfn-lint-suppression';

/** Skips the given cfn-lint checks on one resource; `checks` maps each rule id to its reason. */
export function ignoreCfnLintChecks(resource: CfnResource, checks: Record<string, string>): void {
  const metadata = resource.getMetadata('cfn-lint') as { config?: { ignore_checks?: string[] } } | undefined;
  const ignored = new Set(metadata?.config?.ignore_checks ?? []);
  for (const [id, reason] of Object.entries(checks)) {
    ignored.add(id);
    resource.node.addMetadata(cfnLintSuppressionMetadataKey, { id, reason });
  }
  resource.addMetadata('cfn-lint', {
    ...metadata,
    config: { ...metadata?.config, ignore_checks: [...ignored] },
  });
}
