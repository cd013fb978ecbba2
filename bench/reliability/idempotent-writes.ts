import { apiClient, startBenchRuntime } from '../lib/local.ts';
import { mapLimit } from '../lib/stats.ts';
import { Checks, envInt, eventBody, listAllEventIds, type Scenario } from './harness.ts';

/**
 * 5,000 creates, each sent twice at once with its Idempotency-Key (20 pairs in flight): both
 * copies answer with the same event, and exactly 5,000 events are stored (counted by following the
 * timeline's cursors).
 */
export const idempotentWritesScenario: Scenario = {
  name: 'idempotent writes: 5,000 creates sent twice',
  timeoutMs: 420_000,
  async run() {
    const creates = envInt('RELIABILITY_CREATES', 5000);
    const checks = new Checks();
    const local = await startBenchRuntime({}, { LOG_LEVEL: 'warn' });
    try {
      const api = apiClient(local.runtime.url, local.runtime.adminKey);
      const problems: string[] = [];
      const started = performance.now();
      const ids = await mapLimit(
        Array.from({ length: creates }, (_, n) => n),
        20,
        async (n) => {
          const key = `reliability-${n}`;
          const body = eventBody(n);
          const [a, b] = await Promise.all([
            api<{ id: string }>('POST', '/v1/events', body, { 'idempotency-key': key }),
            api<{ id: string }>('POST', '/v1/events', body, { 'idempotency-key': key }),
          ]);
          if (a.status !== 201 || b.status !== 201) {
            problems.push(
              `create ${n} answered ${a.status} and ${b.status}: ${JSON.stringify(a.status === 201 ? b.body : a.body).slice(0, 200)}`,
            );
          } else if (a.body.id !== b.body.id) {
            problems.push(`create ${n} made two events: ${a.body.id} and ${b.body.id}`);
          }
          return a.body?.id;
        },
      );
      const seconds = (performance.now() - started) / 1000;
      checks.check(
        problems.length === 0,
        `${problems.length} bad answers, first: ${problems.slice(0, 3).join(' | ')}`,
      );
      const listed = await listAllEventIds(api);
      checks.check(listed.errors.length === 0, listed.errors.join('; '));
      const distinct = new Set(listed.ids);
      checks.check(
        distinct.size === listed.ids.length,
        `the timeline lists ${listed.ids.length - distinct.size} events twice`,
      );
      checks.check(listed.ids.length === creates, `${listed.ids.length} events stored, expected ${creates}`);
      const answered = new Set(ids.filter(Boolean));
      const missing = [...answered].filter((id) => !distinct.has(id));
      checks.check(missing.length === 0, `${missing.length} events answered 201 are not in the timeline`);
      return checks.result(
        `${creates * 2} requests in ${seconds.toFixed(0)} s; ${listed.ids.length} events stored (${distinct.size} distinct)`,
      );
    } finally {
      await local.close();
    }
  },
};
