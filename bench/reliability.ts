import { crashScenario } from './reliability/crash.ts';
import { deadLetterScenario } from './reliability/dead-letter.ts';
import { flakyReceiversScenario } from './reliability/flaky-receivers.ts';
import { fuzzScenario } from './reliability/fuzz.ts';
import type { Scenario, ScenarioResult } from './reliability/harness.ts';
import { idempotentWritesScenario } from './reliability/idempotent-writes.ts';
import { loadScenario } from './reliability/load.ts';

/**
 * `npm run test:reliability`: scenarios against the local runtime and the app, each bounded in
 * time. One result line per scenario, then `N passed, N failed`; the exit code is non-zero when
 * any failed. RELIABILITY_ONLY=load,idempotent,flaky,dead-letter,crash,fuzz runs a subset.
 */

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const scenarios: [string, Scenario][] = [
  ['load', loadScenario],
  ['idempotent', idempotentWritesScenario],
  ['flaky', flakyReceiversScenario],
  ['dead-letter', deadLetterScenario],
  ['crash', crashScenario],
  ['fuzz', fuzzScenario],
];
const only = process.env.RELIABILITY_ONLY ? new Set(process.env.RELIABILITY_ONLY.split(',')) : undefined;

let passed = 0;
let failed = 0;
const started = performance.now();
for (const [key, scenario] of scenarios) {
  if (only && !only.has(key)) continue;
  const at = performance.now();
  let result: ScenarioResult;
  let timer: NodeJS.Timeout | undefined;
  try {
    result = await Promise.race([
      scenario.run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`timed out after ${scenario.timeoutMs / 1000} s`)),
          scenario.timeoutMs,
        );
      }),
    ]);
  } catch (error) {
    result = { passed: false, detail: '', failures: [(error as Error).stack ?? String(error)] };
  } finally {
    clearTimeout(timer);
  }
  const seconds = ((performance.now() - at) / 1000).toFixed(0);
  if (result.passed) {
    passed++;
    console.log(`PASS  ${scenario.name} (${seconds} s): ${result.detail}`);
  } else {
    failed++;
    console.log(`FAIL  ${scenario.name} (${seconds} s): ${result.detail}`);
    for (const failure of result.failures) console.log(`      - ${failure}`);
  }
}
console.log(`\n${passed} passed, ${failed} failed (${((performance.now() - started) / 1000).toFixed(0)} s)`);
process.exit(failed > 0 ? 1 : 0);
