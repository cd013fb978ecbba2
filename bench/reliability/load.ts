import autocannon from 'autocannon';
import { apiClient, startBenchRuntime } from '../lib/local.ts';
import { mapLimit } from '../lib/stats.ts';
import { Checks, envInt, eventBody, type Scenario } from './harness.ts';

/** 60 s of timeline reads at 50 connections against the local runtime: no errors, only 2xx. */
export const loadScenario: Scenario = {
  name: 'load: timeline reads at 50 connections',
  timeoutMs: 240_000,
  async run() {
    const seconds = envInt('RELIABILITY_LOAD_SECONDS', 60);
    const checks = new Checks();
    const local = await startBenchRuntime({}, { LOG_LEVEL: 'warn' });
    try {
      const api = apiClient(local.runtime.url, local.runtime.adminKey);
      // A timeline worth reading: 300 events across kinds, actors and months.
      const created = await mapLimit(
        Array.from({ length: 300 }, (_, n) => n),
        10,
        (n) =>
          api('POST', '/v1/events', eventBody(n, { kind: n % 3 === 0 ? 'missile-launch' : 'statement' })),
      );
      checks.check(
        created.every((response) => response.status === 201),
        'could not create the events to read',
      );
      const first = await api<{ nextCursor: string }>('GET', '/v1/events?limit=20');
      const paths = [
        '/v1/events',
        '/v1/events?limit=20',
        '/v1/events?kind=missile-launch&limit=10',
        '/v1/events?actor=KP&order=desc',
        '/v1/events?from=2024-03&to=2024-05',
        '/v1/events?tag=reliability&limit=200',
        `/v1/events?limit=20&cursor=${encodeURIComponent(first.body.nextCursor)}`,
        '/v1/events?q=reliability',
      ];
      const result = await autocannon({
        url: local.runtime.url,
        connections: 50,
        duration: seconds,
        requests: paths.map((path) => ({ method: 'GET', path })),
      });
      const non2xx = result.non2xx;
      const fivexx = result['5xx'];
      checks.check(result.errors === 0, `${result.errors} connection errors`);
      checks.check(result.timeouts === 0, `${result.timeouts} timeouts`);
      checks.check(non2xx === 0, `${non2xx} non-2xx responses (${fivexx} 5xx)`);
      checks.check(result.requests.total > 0, 'no requests completed');
      return checks.result(
        `${result.requests.total} requests in ${seconds} s (${Math.round(result.requests.average)}/s, p99 ${result.latency.p99} ms), ${result.errors} errors, ${non2xx} non-2xx`,
      );
    } finally {
      await local.close();
    }
  },
};
